// Type-level assertions for the typings tests (compiled with tsc, never run).

/** true when A and B are the same type (not merely assignable either way). */
export type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false

/**
 * `expectType<Expected>()(value)` compiles only when `value`'s type is
 * exactly `Expected`: `any`, a wider or a narrower type all fail.
 */
export function expectType<Expected> () {
  return function <Actual> (_value: Actual, ..._exact: Equal<Actual, Expected> extends true ? [] : ['type is not exactly the expected one', Actual]): void {}
}

/** `expectAssignable<T>(value)` compiles when `value` is assignable to T. */
export function expectAssignable<T> (_value: T): void {}
