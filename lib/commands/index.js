'use strict'
// The command table, the one lookup every layer uses to know a Redis command:
// its arity, flags, key positions and what L1 does when it is sent
// (docs/commands.md lists it).
//
// Subcommands are sent as ioredis sends them: the container is the command
// (`client('SETNAME', name)`, `script('LOAD', lua)`, `object('ENCODING', key)`),
// so `lookup('client')` describes CLIENT SETNAME too.

const { L1 } = require('./l1-effects')
const { lookup, names } = require('./lookup')
const { keyIndexes } = require('./keys')
const { writtenKeyIndexes } = require('./written-keys')
const { transformArguments, argvOf, transformReply, hasRegisteredReplyTransformer } = require('./transform')
const { compiled } = require('./compiled')
const { isBlocking, blockingDeadline } = require('./blocking')

module.exports = {
  L1, lookup, names, compiled, keyIndexes, writtenKeyIndexes, transformArguments, argvOf, transformReply, hasRegisteredReplyTransformer, isBlocking, blockingDeadline
}
