//! String arguments read in one N-API call, without a heap allocation for
//! the usual short key.
//!
//! napi-rs reads a `String` argument in two passes (measure, then copy into a
//! new allocation). Keys are short, so here the string is written straight
//! into an inline buffer; only a string that may not have fit is read again
//! into a heap buffer. Measured: about half the cost of a `String` argument.

use std::mem::MaybeUninit;
use std::ptr;

use napi::bindgen_prelude::{FromNapiValue, TypeName, ValidateNapiValue, ValueType};
use napi::{sys, Error, Status};

const INLINE: usize = 256;
/// A UTF-8 character takes at most 4 bytes and N-API never writes a partial
/// one, so fewer bytes than this written means the whole string fit.
const SURELY_COMPLETE: usize = INLINE - 4;

pub struct Utf8Arg {
    inline: [MaybeUninit<u8>; INLINE],
    len: usize,
    heap: Option<Vec<u8>>,
}

impl Utf8Arg {
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match &self.heap {
            Some(v) => v,
            // SAFETY: N-API initialised the first `len` bytes.
            None => unsafe { std::slice::from_raw_parts(self.inline.as_ptr().cast::<u8>(), self.len) },
        }
    }
}

fn check(status: sys::napi_status) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Error::new(Status::from(status), "expected a string".to_owned()))
    }
}

impl FromNapiValue for Utf8Arg {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        let mut arg = Utf8Arg {
            inline: [MaybeUninit::uninit(); INLINE],
            len: 0,
            heap: None,
        };
        let mut written = 0usize;
        check(sys::napi_get_value_string_utf8(
            env,
            value,
            arg.inline.as_mut_ptr().cast(),
            INLINE,
            &mut written,
        ))?;
        if written < SURELY_COMPLETE {
            arg.len = written;
            return Ok(arg);
        }
        let mut len = 0usize;
        check(sys::napi_get_value_string_utf8(
            env,
            value,
            ptr::null_mut(),
            0,
            &mut len,
        ))?;
        let mut heap = Vec::<u8>::with_capacity(len + 1);
        check(sys::napi_get_value_string_utf8(
            env,
            value,
            heap.as_mut_ptr().cast(),
            len + 1,
            &mut written,
        ))?;
        heap.set_len(written);
        arg.heap = Some(heap);
        Ok(arg)
    }
}

impl TypeName for Utf8Arg {
    fn type_name() -> &'static str {
        "String"
    }

    fn value_type() -> ValueType {
        ValueType::String
    }
}

impl ValidateNapiValue for Utf8Arg {}
