'use strict'
// The "Basic Usage" example of the ioredis README (ioredis 5), run against
// tiercache. The code is the tutorial's, reformatted to this project's style;
// what differs is marked "tiercache:":
// - the require line;
// - `new Redis(process.env.REDIS_URL)`: with REDIS_URL unset the argument is
//   undefined, which is `new Redis()` (L1 only, no Redis needed);
// - the ZADD/ZRANGE part is left out (tiercache has no sorted sets);
// - `redis.quit()` at the end, so the script ends by itself.
// `node examples/ioredis-basics.js` prints "value" twice.

// Import ioredis.
// You can also use `import { Redis } from "ioredis"`
// if your project is a TypeScript project,
// Note that `import Redis from "ioredis"` is still supported,
// but will be deprecated in the next major version.
const Redis = require('..') // tiercache: was require("ioredis")

// Create a Redis instance.
// By default, it will connect to localhost:6379.
// We are going to cover how to specify connection options soon.
const redis = new Redis(process.env.REDIS_URL) // tiercache: was new Redis()

redis.set('mykey', 'value') // Returns a promise which resolves to "OK" when the command succeeds.

// ioredis supports the node.js callback style
redis.get('mykey', (err, result) => {
  if (err) {
    console.error(err)
  } else {
    console.log(result) // Prints "value"
  }
})

// Or ioredis returns a promise if the last argument isn't a function
redis.get('mykey').then((result) => {
  console.log(result) // Prints "value"
})

// tiercache: the tutorial's ZADD / ZRANGE (sorted sets) are left out here.

// All arguments are passed directly to the redis server,
// so technically ioredis supports all Redis commands.
// The format is: redis[SOME_REDIS_COMMAND_IN_LOWERCASE](ARGUMENTS_ARE_JOINED_INTO_COMMAND_STRING)
// so the following statement is equivalent to the CLI: `redis> SET mykey hello EX 10`
redis.set('mykey', 'hello', 'EX', 10)

// tiercache: not in the tutorial. QUIT is sent after the commands above (as
// ioredis queues it), so their replies still arrive; then the process ends.
redis.quit()
