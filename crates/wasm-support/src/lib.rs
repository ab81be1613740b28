//! What both of kubeprom's wasm modules share at the JS boundary: the `KubepromError` class
//! the shim registers, and the conversions of options, results and errors. Each module that
//! links this crate exports `__setErrorClass` and so registers the class for itself.
//!
//! Conversion only: no kubeprom logic lives here.

use std::cell::{Cell, RefCell};

use js_sys::{Array, Function, Object, Reflect};
use serde::de::{DeserializeOwned, Deserializer, Visitor};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

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

/// Reads optional options with serde; `undefined`/`null` give the defaults. A key that `T` does
/// not read is an error (see [`struct_from_js`]).
pub fn options<T: DeserializeOwned + Default>(value: JsValue, what: &str) -> Result<T, JsValue> {
    options_beside(value, what, &[])
}

/// [`options`] for an object some of whose keys (`read_by_hand`) the caller reads itself.
pub fn options_beside<T: DeserializeOwned + Default>(
    value: JsValue,
    what: &str,
    read_by_hand: &[&str],
) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    from_js(value, what, read_by_hand)
}

/// Reads a derived serde struct from a JS object, refusing keys the struct does not have:
/// serde-wasm-bindgen reads a struct field by field, so `deny_unknown_fields` never sees the
/// other keys, and a misspelt `namspace` would silently widen a query to every namespace.
pub fn struct_from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    from_js(value, what, &[])
}

fn from_js<T: DeserializeOwned>(
    value: JsValue,
    what: &str,
    read_by_hand: &[&str],
) -> Result<T, JsValue> {
    if let Some(fields) = field_names::<T>() {
        check_keys(&value, what, fields, read_by_hand)?;
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| invalid(format!("{what}: {e}")))
}

/// The one option `key` of an options object read by hand (`undefined` when the options or the
/// key are absent or null), with the same checks as [`options`]: the options must be an object
/// (`not_an_object` is the error otherwise) and hold no other key.
pub fn one_option(opts: &JsValue, key: &str, not_an_object: &str) -> Result<JsValue, JsValue> {
    if opts.is_undefined() || opts.is_null() {
        return Ok(JsValue::UNDEFINED);
    }
    if !opts.is_object() {
        return Err(invalid(not_an_object));
    }
    check_keys(opts, "options", &[key], &[])?;
    let value = get(opts, key);
    Ok(if value.is_null() {
        JsValue::UNDEFINED
    } else {
        value
    })
}

/// Not generic, so the module has one copy of it whatever the options type.
fn check_keys(
    value: &JsValue,
    what: &str,
    fields: &[&str],
    read_by_hand: &[&str],
) -> Result<(), JsValue> {
    let Some(object) = value.dyn_ref::<Object>() else {
        return Ok(());
    };
    let known = |key: &str| fields.contains(&key) || read_by_hand.contains(&key);
    for key in Object::keys(object).iter().filter_map(|k| k.as_string()) {
        // A key set to `undefined` is absent for serde-wasm-bindgen too.
        if known(&key) || get(value, &key).is_undefined() {
            continue;
        }
        let mut message = format!("{what}: unknown field `{key}`, expected one of ");
        for (i, name) in fields.iter().chain(read_by_hand).enumerate() {
            if i > 0 {
                message.push_str(", ");
            }
            message.push('`');
            message.push_str(name);
            message.push('`');
        }
        return Err(invalid(message));
    }
    Ok(())
}

/// The field names a derived `Deserialize` struct passes to `deserialize_struct`; `None` for
/// any other type. Only that call is made: no visitor runs, so it adds no reader to the module.
fn field_names<T: DeserializeOwned>() -> Option<&'static [&'static str]> {
    let names = Cell::new(None);
    let _ = T::deserialize(FieldNames(&names));
    names.get()
}

/// A deserializer that records the field list of `deserialize_struct` and fails every call.
struct FieldNames<'a>(&'a Cell<Option<&'static [&'static str]>>);

impl<'de> Deserializer<'de> for FieldNames<'_> {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(serde::de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.set(Some(fields));
        Err(serde::de::Error::custom("field names read"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// A serde value as a plain JS value (maps as objects).
pub fn to_js<T: serde::Serialize + ?Sized>(value: &T) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    value.serialize(&serializer).unwrap_or(JsValue::UNDEFINED)
}
