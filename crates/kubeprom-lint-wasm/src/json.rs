//! A JS value (a parsed JSON or YAML document) walked into a `serde_json::Value` by hand: a serde
//! reader would bring serde-wasm-bindgen's deserializer into a module that otherwise only
//! serializes, and JSON text would bring serde_json's parser; `JSON.parse` is already in JS.

use js_sys::{Array, Object};
use serde_json::{Map, Number, Value};
use wasm_bindgen::{JsCast, JsValue};

use kubeprom_wasm_support::get;

/// Deepest nesting read (serde_json's own limit); deeper values, or cycles, are refused.
const MAX_DEPTH: usize = 128;

/// Most values read from one document.
const MAX_VALUES: usize = 4_000_000;

/// `value` as JSON: objects, arrays, strings, finite numbers, booleans and null (`undefined`
/// too); non-finite numbers become null as in `JSON.stringify`; other values are refused.
pub fn from_js(value: &JsValue) -> Result<Value, String> {
    let mut budget = MAX_VALUES;
    walk(value, 0, &mut budget).map_err(|e| {
        let mut pointer = String::new();
        for key in e.path.iter().rev() {
            pointer.push('/');
            pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
        }
        format!("{pointer}: {}", e.message)
    })
}

/// What went wrong, and the keys from the value up to the root (built only on the way out).
struct WalkError {
    path: Vec<String>,
    message: String,
}

fn fail(message: String) -> Result<Value, WalkError> {
    Err(WalkError {
        path: Vec::new(),
        message,
    })
}

fn walk(value: &JsValue, depth: usize, budget: &mut usize) -> Result<Value, WalkError> {
    if *budget == 0 {
        return fail(format!("more than {MAX_VALUES} values"));
    }
    *budget -= 1;
    if let Some(s) = value.as_string() {
        return Ok(Value::String(s));
    }
    if let Some(b) = value.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Some(n) = value.as_f64() {
        // Integers stay integers, so `for: 0` and panel ids read as they were written.
        if n.fract() == 0.0 && n.abs() < 9.0e15 {
            return Ok(Value::Number((n as i64).into()));
        }
        return Ok(Number::from_f64(n).map_or(Value::Null, Value::Number));
    }
    if value.is_null() || value.is_undefined() {
        return Ok(Value::Null);
    }
    if depth >= MAX_DEPTH {
        return fail(format!("nested more than {MAX_DEPTH} deep (or a cycle)"));
    }
    if let Some(array) = value.dyn_ref::<Array>() {
        let mut items = Vec::with_capacity(array.length() as usize);
        for (i, item) in array.iter().enumerate() {
            let item = walk(&item, depth + 1, budget).map_err(|mut e| {
                e.path.push(i.to_string());
                e
            })?;
            items.push(item);
        }
        return Ok(Value::Array(items));
    }
    if let Some(object) = value.dyn_ref::<Object>() {
        if !value.is_function() {
            let mut map = Map::new();
            for key in Object::keys(object).iter().filter_map(|k| k.as_string()) {
                let item = match walk(&get(value, &key), depth + 1, budget) {
                    Ok(item) => item,
                    Err(mut e) => {
                        e.path.push(key);
                        return Err(e);
                    }
                };
                map.insert(key, item);
            }
            return Ok(Value::Object(map));
        }
    }
    fail("not a JSON value (expected an object, array, string, number, boolean or null)".to_owned())
}
