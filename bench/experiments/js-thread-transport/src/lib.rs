//! EXPERIMENT, not product code: a Redis connection read and written on the JS
//! thread (libuv polls the socket), to measure what the transport plan in
//! docs/internals.md ("The transport") would gain. Plain TCP, RESP2, no
//! errors handled. See README.md beside it.

use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;
use std::ffi::c_void;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::raw::c_int;
use std::ptr;

extern "C" {
    fn uv_handle_size(t: c_int) -> usize;
    fn uv_poll_init_socket(l: *mut sys::uv_loop_s, h: *mut c_void, sock: c_int) -> c_int;
    fn uv_poll_start(h: *mut c_void, events: c_int, cb: extern "C" fn(*mut c_void, c_int, c_int)) -> c_int;
}

pub struct Conn {
    stream: std::net::TcpStream,
    env: sys::napi_env,
    cb: sys::napi_ref,
    ctx: sys::napi_async_context,
    buf: Vec<u8>,
    out: Vec<u8>,
    /// The uv_poll_t (never freed: the experiment runs once and exits).
    #[allow(dead_code)]
    handle: *mut c_void,
}

fn enc(out: &mut Vec<u8>, argv: &[String]) {
    out.extend_from_slice(format!("*{}\r\n", argv.len()).as_bytes());
    for a in argv {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
}

fn line(b: &[u8], at: usize) -> Option<usize> {
    b[at..].windows(2).position(|w| w == b"\r\n").map(|p| at + p)
}

unsafe fn parse(env: sys::napi_env, b: &[u8], at: usize) -> Option<(sys::napi_value, usize)> {
    if at >= b.len() { return None; }
    let e = line(b, at + 1)?;
    let s = std::str::from_utf8(&b[at + 1..e]).ok()?;
    let mut v = ptr::null_mut();
    match b[at] {
        b'+' | b'-' => { sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut v); Some((v, e + 2)) }
        b':' => { sys::napi_create_int64(env, s.parse().ok()?, &mut v); Some((v, e + 2)) }
        b'$' => {
            let n: i64 = s.parse().ok()?;
            if n < 0 { sys::napi_get_null(env, &mut v); return Some((v, e + 2)); }
            let st = e + 2; let en = st + n as usize;
            if en + 2 > b.len() { return None; }
            sys::napi_create_string_utf8(env, b[st..en].as_ptr().cast(), n as isize, &mut v);
            Some((v, en + 2))
        }
        b'*' => {
            let n: i64 = s.parse().ok()?;
            sys::napi_create_array_with_length(env, n.max(0) as usize, &mut v);
            let mut p = e + 2;
            for i in 0..n.max(0) { let (x, q) = parse(env, b, p)?; sys::napi_set_element(env, v, i as u32, x); p = q; }
            Some((v, p))
        }
        _ => None,
    }
}

extern "C" fn on_poll(h: *mut c_void, _status: c_int, _events: c_int) {
    unsafe {
        let conn = &mut *(*(h as *mut *mut Conn));
        let mut tmp = [0u8; 65536];
        loop {
            match conn.stream.read(&mut tmp) {
                Ok(0) => break,
                Ok(n) => conn.buf.extend_from_slice(&tmp[..n]),
                Err(_) => break,
            }
        }
        let env = conn.env;
        let mut scope = ptr::null_mut();
        sys::napi_open_handle_scope(env, &mut scope);
        let mut arr = ptr::null_mut();
        sys::napi_create_array(env, &mut arr);
        let mut at = 0; let mut i = 0;
        while let Some((v, next)) = parse(env, &conn.buf, at) { sys::napi_set_element(env, arr, i, v); i += 1; at = next; }
        conn.buf.drain(..at);
        if i > 0 {
            let mut f = ptr::null_mut(); sys::napi_get_reference_value(env, conn.cb, &mut f);
            let mut recv = ptr::null_mut(); sys::napi_get_global(env, &mut recv);
            let mut res: sys::napi_value = ptr::null_mut();
            let args = [arr];
            // `recv` must be an object (undefined fails with napi_object_expected).
            let st = sys::napi_make_callback(env, conn.ctx, recv, f, 1, args.as_ptr(), &mut res);
            debug_assert_eq!(st, 0);
        }
        sys::napi_close_handle_scope(env, scope);
    }
}

#[napi]
pub fn connect(env: Env, port: u32, cb: Function<'_>) -> External<Box<Conn>> {
    let stream = std::net::TcpStream::connect(("127.0.0.1", port as u16)).unwrap();
    stream.set_nodelay(true).unwrap();
    stream.set_nonblocking(true).unwrap();
    unsafe {
        let raw = env.raw();
        let mut r = ptr::null_mut();
        sys::napi_create_reference(raw, cb.raw(), 1, &mut r);
        let mut name = ptr::null_mut();
        sys::napi_create_string_utf8(raw, "proto".as_ptr().cast(), 5, &mut name);
        let mut ctx = ptr::null_mut();
        sys::napi_async_init(raw, ptr::null_mut(), name, &mut ctx);
        let mut lp = ptr::null_mut();
        sys::napi_get_uv_event_loop(raw, &mut lp);
        let size = uv_handle_size(8);
        let handle = std::alloc::alloc_zeroed(std::alloc::Layout::from_size_align(size, 16).unwrap()) as *mut c_void;
        let mut conn = Box::new(Conn { stream, env: raw, cb: r, ctx, buf: Vec::new(), out: Vec::new(), handle });
        let fd = conn.stream.as_raw_fd();
        // uv_handle_t's first field is its `data` pointer: the callback finds the connection there.
        *(handle as *mut *mut Conn) = &mut *conn;
        assert_eq!(uv_poll_init_socket(lp as *mut _, handle, fd), 0);
        assert_eq!(uv_poll_start(handle, 1, on_poll), 0);
        External::new(conn)
    }
}

fn write_all(c: &mut Conn) {
    let mut off = 0;
    while off < c.out.len() {
        match c.stream.write(&c.out[off..]) { Ok(n) => off += n, Err(_) => std::thread::yield_now() }
    }
    c.out.clear();
}

#[napi]
pub fn send(conn: &mut External<Box<Conn>>, argv: Vec<String>) {
    let c: &mut Conn = &mut **conn;
    enc(&mut c.out, &argv);
    write_all(c);
}

#[napi]
pub fn queue(conn: &mut External<Box<Conn>>, argv: Vec<String>) {
    let c: &mut Conn = &mut **conn;
    enc(&mut c.out, &argv);
}

#[napi]
pub fn flush(conn: &mut External<Box<Conn>>) {
    let c: &mut Conn = &mut **conn;
    write_all(c);
}
