'use strict'
// One pattern call's Redis time: commandTimeout in all, shared by its Redis
// steps (read, tag generations, lease, re-read), instead of a full
// commandTimeout for each. The addon applies commandTimeout per command and
// takes no per-call timeout, so a step is raced in JS against what is left:
// past it the caller goes on with the step's fallback, and the command
// finishes (or times out) in the background, its outcome ignored. Time the
// call spends elsewhere (the loader, waiting for another instance's lease)
// is not Redis time and does not count.

const noop = () => {}

class RedisBudget {
  /** `remote`: the cache's Remote, or null (L1 only: nothing to wait on). */
  constructor (remote) {
    this.left = remote === null ? Infinity : remote.config.commandTimeout
  }

  get spent () {
    return this.left <= 0
  }

  /**
   * `work` (a value, or a promise of a Redis step), or `late()` when it is
   * not settled within the budget left. `late` may throw (a rejection).
   */
  race (work, late) {
    if (!(work instanceof Promise) || this.left === Infinity) return work
    if (this.left <= 0) {
      work.catch(noop)
      return new Promise((resolve) => resolve(late()))
    }
    const start = Date.now()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.left = 0
        work.catch(noop)
        try {
          resolve(late())
        } catch (err) {
          reject(err)
        }
      }, this.left)
      const settled = () => {
        clearTimeout(timer)
        this.left -= Date.now() - start
      }
      work.then((v) => {
        settled()
        resolve(v)
      }, (err) => {
        settled()
        reject(err)
      })
    })
  }
}

module.exports = { RedisBudget }
