'use strict'
// What L1 does when a command is sent: the values of a table entry's `l1`.
// Shared by the generator (scripts/gen-command-table.js) and the executors.

const L1 = Object.freeze({
  SERVE: 'serve', //           answered from L1 when it holds the key (typed string reads)
  REPLY: 'reply', //           its reply is cached in L1 under its key and answered from there
  INVALIDATE: 'invalidate', // L1's copy of every written key is dropped
  RETIME: 'retime', //         the value is kept and its TTL follows Redis's
  FLUSH: 'flush', //           the whole database may change: L1 is emptied
  NONE: 'none' //              L1 is neither read nor changed
})

module.exports = { L1 }
