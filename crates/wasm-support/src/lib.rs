//! What both of kubeprom's wasm modules share at the JS boundary: the `KubepromError` class
//! the shim registers, and the conversions of options, results and errors. Each module that
//! links this crate exports `__setErrorClass` and so registers the class for itself.
//!
//! Conversion only: no kubeprom logic lives here.

use std::cell::RefCell;

use js_sys::{Array, Function, Reflect};
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

thread_local! {
    static ERROR_CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Called once by the JS shim with its `KubepromError` class, so thrown errors are instances of it.
#[wasm_bindgen(js_name = __setErrorClass)]
pub fn set_error_class(class: Function) {
    ERROR_CLASS.with(|c| *c.borrow_mut() = Some(class));
}

/// A `KubepromError` (or, before the shim registered its class, an `Error` with the same fields).
pub fn error(kind: &str, message: &str, status: Option<u16>, retry_after: Option<f64>) -> JsValue {
    let status_js = status.map_or(JsValue::UNDEFINED, JsValue::from);
    let constructed = ERROR_CLASS.with(|c| {
        c.borrow().as_ref().and_then(|class| {
            Reflect::construct(
                class,
                &Array::of3(&kind.into(), &message.into(), &status_js),
            )
            .ok()
        })
    });
    let err = constructed.unwrap_or_else(|| {
        let e: JsValue = js_sys::Error::new(message).into();
        set(&e, "name", &"KubepromError".into());
        set(&e, "kind", &kind.into());
        if status.is_some() {
            set(&e, "status", &status_js);
        }
        e
    });
    if let Some(seconds) = retry_after {
        set(&err, "retryAfter", &seconds.into());
    }
    err
}

/// An `invalid_argument` error.
pub fn invalid(message: impl std::fmt::Display) -> JsValue {
    error("invalid_argument", &message.to_string(), None, None)
}

/// `source[key]`, or `undefined` when it cannot be read.
pub fn get(source: &JsValue, key: &str) -> JsValue {
    // Reflect.get throws on a primitive, and a throwing import leaves the slot wasm-bindgen
    // allocated for its result in the externref table: one slot lost per call that left its
    // options out or described an error without a cause. Primitives have no such properties.
    if !source.is_object() && !source.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(source, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `target[key] = value` on an object the boundary just made.
pub fn set(target: &JsValue, key: &str, value: &JsValue) {
    // Reflect.set only fails on frozen objects or proxies, and every target here is fresh.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// Reads optional options with serde; `undefined`/`null` give the defaults.
pub fn options<T: DeserializeOwned + Default>(value: JsValue, what: &str) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| invalid(format!("{what}: {e}")))
}

/// A serde value as a plain JS value (maps as objects).
pub fn to_js<T: serde::Serialize + ?Sized>(value: &T) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    value.serialize(&serializer).unwrap_or(JsValue::UNDEFINED)
}
