//! The JS thread reads the Redis connection itself (docs/internals.md, "The
//! transport", step 4): libuv polls the socket on the event loop of the
//! thread that opened the instance, and the poll callback reads the replies
//! and hands their outcomes to JS at once. A reply then wakes the thread
//! that awaits it, as with ioredis, instead of waking the I/O thread, which
//! woke the JS thread (two hand-overs per command awaited alone).
//!
//! Unix only: libuv's symbols resolve from the Node binary at load time
//! there, as N-API's do. Elsewhere the I/O thread keeps reading.
//!
//! Lifetime: the poll handle lives until its close callback; it is closed
//! when the connection is lost (a shut socket stays readable), when the
//! instance lets it go ([`Poller`] dropped), or when the thread's Node
//! environment ends (a cleanup hook: a worker's loop must hold no handle of
//! ours when it closes).

use std::cell::Cell;
use std::ffi::c_void;
use std::os::raw::c_int;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::{Arc, Mutex};

use napi::sys;

use crate::core::tier::Reader;

extern "C" {
    fn uv_handle_size(kind: c_int) -> usize;
    fn uv_poll_init_socket(event_loop: *mut sys::uv_loop_s, handle: *mut c_void, socket: c_int) -> c_int;
    fn uv_poll_start(handle: *mut c_void, events: c_int, callback: extern "C" fn(*mut c_void, c_int, c_int)) -> c_int;
    fn uv_poll_stop(handle: *mut c_void) -> c_int;
    fn uv_close(handle: *mut c_void, callback: extern "C" fn(*mut c_void));
    fn uv_unref(handle: *mut c_void);
}

/// `UV_POLL` in libuv's `uv_handle_type`.
const UV_POLL: c_int = 8;
const UV_READABLE: c_int = 1;
const HANDLE_ALIGN: usize = 16;

thread_local! {
    static READING: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread is inside a poll callback's read: outcomes queued
/// now are delivered when the read ends, by the callback (no wake-up of the
/// event loop needed).
pub fn reading_here() -> bool {
    READING.with(Cell::get)
}

/// What the poll callback does once it has read: deliver the outcomes to JS.
/// Dropped on the JS thread when the poller stops.
pub type AfterRead = Box<dyn FnMut()>;

struct State {
    /// The `uv_poll_t`; its first field (`data`) points back here.
    handle: *mut c_void,
    env: sys::napi_env,
    reader: Option<Reader>,
    after_read: Option<AfterRead>,
    /// This state's address while it polls, 0 once stopping: shared with
    /// the [`Poller`] that may stop it first.
    live: Arc<Mutex<usize>>,
    stopping: bool,
    /// Off while the I/O thread reads (see [`Poller::poll`]).
    polling: bool,
}

/// The instance's hold on its poller: dropping it stops the polling.
pub struct Poller(Arc<Mutex<usize>>);

// SAFETY: the address it holds is only dereferenced by `Drop`, which the
// binding runs on the JS thread that started the poller (the instance's
// handle is finalized there).
unsafe impl Send for Poller {}

impl Poller {
    /// Polls (`on`) or lets the I/O thread read as the socket is readable
    /// (see [`Reader::share`]): the binding turns it off when a burst goes
    /// to the I/O thread's dispatcher, on when the JS thread wrote it.
    /// Call on the JS thread that started it.
    pub fn poll(&self, on: bool) {
        let live = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if *live == 0 {
            return;
        }
        // SAFETY: a non-zero address is a live state; its thread is ours.
        let state = unsafe { &mut *(*live as *mut State) };
        if state.polling == on {
            return;
        }
        let Some(reader) = state.reader.as_ref() else { return };
        state.polling = on;
        // SAFETY: the handle is live (not stopping) and on its loop's thread.
        unsafe {
            if on {
                reader.share(false);
                uv_poll_start(state.handle, UV_READABLE, on_poll);
            } else {
                uv_poll_stop(state.handle);
                reader.share(true);
            }
        }
    }
}

impl Drop for Poller {
    fn drop(&mut self) {
        let state = std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()));
        if state != 0 {
            // SAFETY: a non-zero address is a live state (it is zeroed
            // before the state is freed), and we are on its thread.
            unsafe { stop(state as *mut State, false) };
        }
    }
}

/// Polls `reader`'s socket on `env`'s event loop; `after_read` runs after
/// each read. Err: libuv refused (the I/O thread keeps reading: `reader`
/// is dropped, which hands the reading back).
///
/// # Safety
/// On the JS thread of `env`.
pub unsafe fn start(env: sys::napi_env, reader: Reader, after_read: AfterRead) -> Result<Poller, String> {
    let mut event_loop = ptr::null_mut();
    if sys::napi_get_uv_event_loop(env, &mut event_loop) != sys::Status::napi_ok {
        return Err("no event loop".into());
    }
    let layout =
        std::alloc::Layout::from_size_align(uv_handle_size(UV_POLL), HANDLE_ALIGN).map_err(|e| e.to_string())?;
    let handle = std::alloc::alloc_zeroed(layout) as *mut c_void;
    if handle.is_null() {
        return Err("out of memory".into());
    }
    let status = uv_poll_init_socket(event_loop, handle, reader.fd());
    if status != 0 {
        // Never initialised: libuv knows nothing of it.
        std::alloc::dealloc(handle as *mut u8, layout);
        return Err(format!("uv_poll_init_socket: {status}"));
    }
    let live = Arc::new(Mutex::new(0));
    let state = Box::into_raw(Box::new(State {
        handle,
        env,
        reader: Some(reader),
        after_read: Some(after_read),
        live: Arc::clone(&live),
        stopping: false,
        polling: true,
    }));
    *(handle as *mut *mut State) = state;
    *live.lock().unwrap_or_else(|p| p.into_inner()) = state as usize;
    // Replies in flight keep the process alive by the facade's timer, not
    // by this handle (an idle connection must not).
    uv_unref(handle);
    sys::napi_add_env_cleanup_hook(env, Some(on_env_cleanup), state as *mut c_void);
    let status = uv_poll_start(handle, UV_READABLE, on_poll);
    if status != 0 {
        *live.lock().unwrap_or_else(|p| p.into_inner()) = 0;
        stop(state, false);
        return Err(format!("uv_poll_start: {status}"));
    }
    Ok(Poller(live))
}

extern "C" fn on_poll(handle: *mut c_void, _status: c_int, _events: c_int) {
    // Never unwind into libuv. An error status (the socket broke) is found
    // by the read itself.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `data` was set to the state before polling started, and
        // the state is freed only in the close callback, after this.
        let state = unsafe { &mut **(handle as *mut *mut State) };
        if state.stopping {
            return;
        }
        READING.with(|r| r.set(true));
        let alive = catch_unwind(AssertUnwindSafe(|| state.reader.as_ref().is_some_and(Reader::read)));
        READING.with(|r| r.set(false));
        if let Some(after_read) = state.after_read.as_mut() {
            after_read();
        }
        if !matches!(alive, Ok(true)) {
            let state = std::mem::take(&mut *state.live.lock().unwrap_or_else(|p| p.into_inner()));
            if state != 0 {
                // SAFETY: as above.
                unsafe { stop(state as *mut State, false) };
            }
        }
    }));
}

unsafe extern "C" fn on_env_cleanup(arg: *mut c_void) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let state = arg as *mut State;
        let live = std::mem::take(&mut *(*state).live.lock().unwrap_or_else(|p| p.into_inner()));
        if live != 0 {
            stop(state, true);
        }
    }));
}

/// Stops polling and closes the handle (freed by the close callback); the
/// reader and `after_read` are dropped now, on the JS thread.
unsafe fn stop(state: *mut State, in_cleanup_hook: bool) {
    let s = &mut *state;
    if s.stopping {
        return;
    }
    s.stopping = true;
    uv_poll_stop(s.handle);
    if !in_cleanup_hook {
        sys::napi_remove_env_cleanup_hook(s.env, Some(on_env_cleanup), state as *mut c_void);
    }
    s.reader = None;
    s.after_read = None;
    uv_close(s.handle, on_close);
}

extern "C" fn on_close(handle: *mut c_void) {
    // SAFETY: the last use of the handle and its state (see `stop`).
    unsafe {
        let state = Box::from_raw(*(handle as *mut *mut State));
        drop(state);
        let layout = std::alloc::Layout::from_size_align_unchecked(uv_handle_size(UV_POLL), HANDLE_ALIGN);
        std::alloc::dealloc(handle as *mut u8, layout);
    }
}
