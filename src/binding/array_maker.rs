//! JS arrays of many items made by one call into JS instead of one
//! `napi_set_element` per item.
//!
//! Through N-API an array is filled item by item, each a generic property
//! store (~70 ns); a reply batch of 100 commands is 300 of them, a 20-field
//! HGETALL 20. Calling a JS function `(...items) => items` with the items
//! as its arguments lets V8 build the array in one go. The function is
//! registered per thread (per N-API environment: the main thread and each
//! worker) by the loader (binding.js); without it, or for very long arrays
//! (past what a call's arguments may hold), arrays are filled item by item.

use std::cell::Cell;
use std::ptr;

use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;

use super::reply::check;

/// Below this many items, filling item by item is as cheap as the call.
const CALL_FROM: usize = 4;
/// A call's arguments live on the stack: longer arrays are filled.
const CALL_UP_TO: usize = 4096;

thread_local! {
    static MAKER: Cell<sys::napi_ref> = const { Cell::new(ptr::null_mut()) };
}

/// Registers `maker` (`(...items) => items`) for this thread's environment.
#[napi(catch_unwind)]
pub fn set_array_maker(env: &Env, maker: Function<'_>) -> Result<()> {
    let mut reference = ptr::null_mut();
    // SAFETY: `maker` is a live function value of `env`, on its thread.
    unsafe {
        check(
            sys::napi_create_reference(env.raw(), maker.raw(), 1, &mut reference),
            "reference",
        )?
    };
    let old = MAKER.with(|m| m.replace(reference));
    if !old.is_null() {
        // SAFETY: `old` was created on this thread, for this environment.
        unsafe { sys::napi_delete_reference(env.raw(), old) };
    }
    Ok(())
}

/// A JS array of `items` (values of `env`).
///
/// # Safety
/// `env` is the current thread's environment, inside a call from JS or a
/// thread-safe function's callback; `items` are its live values.
pub unsafe fn array_of(env: sys::napi_env, items: &[sys::napi_value]) -> Result<sys::napi_value> {
    let maker = MAKER.with(Cell::get);
    if !maker.is_null() && (CALL_FROM..=CALL_UP_TO).contains(&items.len()) {
        let mut function = ptr::null_mut();
        let mut receiver = ptr::null_mut();
        let mut out = ptr::null_mut();
        if sys::napi_get_reference_value(env, maker, &mut function) == sys::Status::napi_ok
            && !function.is_null()
            && sys::napi_get_undefined(env, &mut receiver) == sys::Status::napi_ok
            && sys::napi_call_function(env, receiver, function, items.len(), items.as_ptr(), &mut out)
                == sys::Status::napi_ok
        {
            return Ok(out);
        }
    }
    let mut out = ptr::null_mut();
    check(sys::napi_create_array_with_length(env, items.len(), &mut out), "array")?;
    for (i, &item) in items.iter().enumerate() {
        check(sys::napi_set_element(env, out, i as u32, item), "array")?;
    }
    Ok(out)
}
