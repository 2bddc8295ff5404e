'use strict'
// The differential test across families (differential-families.test.js) on a
// Redis Cluster: tiercache's Cluster client against ioredis's, each on a
// private cluster of three primaries. See that file for what is generated and
// compared; `npm run diff:full` runs this one at full size too.

process.env.DIFF_FAMILIES_TOPOLOGY = 'cluster'
require('./differential-families.test.js')
