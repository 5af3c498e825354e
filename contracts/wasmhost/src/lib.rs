//! The guest side of the WasmLib host ABI: an `ScHost` over the two imports
//! `WasmLib.hostStateGet` and `WasmLib.hostStateSet`, as a Wasp node expects
//! them (the ABI is described in ARCHITECTURE.md, `wasmvm/host.rs`).
//!
//! A contract calls [`connect`] at the start of `on_load` and `on_call`.

use wasmlib::host::{connect_host, ScHost};

#[link(wasm_import_module = "WasmLib")]
extern "C" {
    #[link_name = "hostStateGet"]
    fn host_state_get(key_ref: *const u8, key_len: i32, val_ref: *mut u8, val_len: i32) -> i32;
    #[link_name = "hostStateSet"]
    fn host_state_set(key_ref: *const u8, key_len: i32, val_ref: *const u8, val_len: i32);
}

/// The host, reached through the two imports.
pub struct WasmVmHost;

static HOST: WasmVmHost = WasmVmHost;

/// Makes WasmLib talk to the host.
pub fn connect() {
    connect_host(&HOST);
}

/// Copies the host's cached value (of `size` bytes) into a new buffer.
fn cached(size: i32) -> Vec<u8> {
    if size <= 0 {
        return Vec::new();
    }
    let mut buf = vec![0u8; size as usize];
    // key_len 0: copy the cached value.
    unsafe { host_state_get(core::ptr::null(), 0, buf.as_mut_ptr(), size) };
    buf
}

impl ScHost for WasmVmHost {
    fn export_name(&self, index: i32, name: &str) {
        // key_ref 0: an export; key_len is the index (negative: language tag).
        unsafe { host_state_set(core::ptr::null(), index, name.as_ptr(), name.len() as i32) }
    }

    fn sandbox(&self, func_nr: i32, params: &[u8]) -> Vec<u8> {
        // key_len < 0: sandbox function `func_nr`; the result is cached.
        let size = unsafe {
            host_state_get(core::ptr::null(), func_nr, params.as_ptr() as *mut u8, params.len() as i32)
        };
        cached(size)
    }

    fn state_delete(&self, key: &[u8]) {
        unsafe { host_state_set(key.as_ptr(), key.len() as i32, core::ptr::null(), -1) }
    }

    fn state_exists(&self, key: &[u8]) -> bool {
        unsafe { host_state_get(key.as_ptr(), key.len() as i32, core::ptr::null_mut(), -1) >= 0 }
    }

    fn state_get(&self, key: &[u8]) -> Vec<u8> {
        let size = unsafe { host_state_get(key.as_ptr(), key.len() as i32, core::ptr::null_mut(), 0) };
        cached(size)
    }

    fn state_set(&self, key: &[u8], value: &[u8]) {
        unsafe { host_state_set(key.as_ptr(), key.len() as i32, value.as_ptr(), value.len() as i32) }
    }
}

/// Exports `on_load` and `on_call`, the two functions a Wasp host calls,
/// for a contract's `ScExportMap`: connect to the host, then export the
/// entry points or dispatch the call.
#[macro_export]
macro_rules! export_contract {
    ($map:expr) => {
        #[no_mangle]
        fn on_call(index: i32) {
            $crate::connect();
            $map.dispatch(index);
        }

        #[no_mangle]
        fn on_load() {
            $crate::connect();
            $map.export();
        }
    };
}
