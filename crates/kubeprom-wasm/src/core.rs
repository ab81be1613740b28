//! The core module's exports: catalog, query building, response parsing, per-pod aggregation,
//! the Prometheus client and Kueue summaries.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Object, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use crate::bytes::{PodCall, PodReport};
use crate::kept;
use crate::packed;
use kubeprom::client::{self, ClientConfig, ClientError, ClientOptions, ServiceProxyOptions};
use kubeprom::query::{self, QuerySpec, CATALOG, PROFILE_NAMES};
use kubeprom::recommend::{container_values, Answers, ContainerKey, Need};
use kubeprom::response::scan::ResultStream;
use kubeprom::response::{self, ResponseError, DEFAULT_MAX_BYTES};
use kubeprom::units;
use kubeprom_wasm_support::{error, get, invalid, one_option, options, set, struct_from_js, to_js};

pub(crate) fn query_error(e: query::QueryError) -> JsValue {
    error(e.kind(), &e.to_string(), None, None)
}

fn response_error(e: ResponseError) -> JsValue {
    with_raw_error_type(
        error(e.kind(), &e.to_string(), None, None),
        e.raw_error_type(),
    )
}

fn client_error(e: ClientError) -> JsValue {
    let err = error(e.kind(), &e.to_string(), e.status(), e.retry_after());
    with_raw_error_type(err, e.raw_error_type())
}

/// Sets `errorType` to the backend's own word when `kind` translates it.
pub(crate) fn with_raw_error_type(err: JsValue, raw: Option<&str>) -> JsValue {
    if let Some(raw) = raw {
        set(&err, "errorType", &raw.into());
    }
    err
}

/// Copies a body given as a string, `Uint8Array` or `ArrayBuffer` into wasm memory.
fn body_bytes(body: &JsValue) -> Result<Vec<u8>, JsValue> {
    body_within(body, usize::MAX)
}

/// [`body_bytes`], refusing a body over `max_bytes` with `too_large` before it is copied: the
/// copy would otherwise grow wasm memory by the body's size first. A string's UTF-16 length
/// never exceeds its UTF-8 length, so it is a safe lower bound; the parsers check the exact
/// length of what was copied.
pub(super) fn body_within(body: &JsValue, max_bytes: usize) -> Result<Vec<u8>, JsValue> {
    let too_large = |size: usize| {
        response_error(ResponseError::TooLarge {
            size,
            max: max_bytes,
        })
    };
    if let Some(text) = body.dyn_ref::<js_sys::JsString>() {
        let len = text.length() as usize;
        if len > max_bytes {
            return Err(too_large(len));
        }
        return Ok(String::from(text).into_bytes());
    }
    let bytes = if let Some(bytes) = body.dyn_ref::<Uint8Array>() {
        bytes.clone()
    } else if body.is_instance_of::<js_sys::ArrayBuffer>() {
        Uint8Array::new(body)
    } else {
        return Err(invalid(
            "body: expected a string, Uint8Array or ArrayBuffer",
        ));
    };
    let len = bytes.length() as usize;
    if len > max_bytes {
        return Err(too_large(len));
    }
    Ok(bytes.to_vec())
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct MetricInfo {
    id: &'static str,
    title: &'static str,
    unit: query::Unit,
    kind: query::Kind,
    source: query::Source,
    description: &'static str,
    default_by: &'static [&'static str],
    filters: Vec<&'static str>,
}

/// Every metric in the catalog.
#[wasm_bindgen(js_name = listMetrics)]
pub fn list_metrics() -> JsValue {
    let infos: Vec<MetricInfo> = CATALOG
        .iter()
        .map(|d| MetricInfo {
            id: d.id,
            title: d.title,
            unit: d.unit,
            kind: d.kind,
            source: d.source,
            description: d.description,
            default_by: d.default_by,
            filters: d.filters(),
        })
        .collect();
    to_js(&infos)
}

/// Names of the built-in profiles.
#[wasm_bindgen(js_name = listProfiles)]
pub fn list_profiles() -> JsValue {
    to_js(&PROFILE_NAMES[..])
}

/// PromQL for a `QuerySpec`.
#[wasm_bindgen(js_name = buildQuery)]
pub fn build_query(spec: JsValue) -> Result<String, JsValue> {
    if !spec.is_object() {
        return Err(invalid("spec: expected an object with at least `metric`"));
    }
    let spec: QuerySpec = struct_from_js(spec, "spec")?;
    query::build_query(&spec).map_err(query_error)
}

/// `parseResponse`'s `{ maxBytes? }`, read by hand: one number does not need a serde reader.
fn parse_max_bytes(opts: &JsValue) -> Result<usize, JsValue> {
    let max = one_option(
        opts,
        "maxBytes",
        "options: expected an object such as { maxBytes: 1e8 }",
    )?;
    if max.is_undefined() {
        return Ok(DEFAULT_MAX_BYTES);
    }
    max.as_f64()
        .map(|m| m.max(0.0) as usize)
        .ok_or_else(|| invalid("options.maxBytes: expected a number"))
}

/// Parses a query or query_range response body.
#[wasm_bindgen(js_name = parseResponse)]
pub fn parse_response(body: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    let max_bytes = parse_max_bytes(&opts)?;
    let bytes = body_within(&body, max_bytes)?;
    kept::keep(bytes, max_bytes).map_err(|(_, e)| response_error(e))
}

/// A label set as a plain object. `Object.fromEntries` defines each label as an own property,
/// so a label named `__proto__` (valid in Prometheus) is a label, not the object's prototype.
pub(crate) fn labels_to_js(labels: &[(String, String)]) -> JsValue {
    let entries: Array = labels
        .iter()
        .map(|(k, v)| Array::of2(&JsValue::from_str(k), &JsValue::from_str(v)))
        .collect();
    Object::from_entries(&entries)
        .map(JsValue::from)
        .unwrap_or_else(|_| Object::new().into())
}

/// The pods of a `QueryResult`, as the options pick them, with what was left out.
fn aggregate(result: &JsValue, opts: JsValue) -> Result<PodReport, JsValue> {
    let call = PodCall::read(opts)?;
    if call.max_bytes.is_some() {
        return Err(invalid(
            "options.maxBytes: only parseResponse and aggregatePodsFromBytes read a body",
        ));
    }
    packed::result_from_js(result)?
        .with_columns(|columns| call.report(columns))?
        .map_err(query_error)
}

/// One value per pod, containers summed once each.
#[wasm_bindgen(js_name = aggregatePods)]
pub fn aggregate_pods_js(result: JsValue, opts: JsValue) -> Result<Array, JsValue> {
    Ok(aggregate(&result, opts)?.pods.pods.unchecked_into())
}

/// `aggregatePods` with what was left out.
#[wasm_bindgen(js_name = aggregatePodsReport)]
pub fn aggregate_pods_report(result: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    Ok(aggregate(&result, opts)?.to_js())
}

/// The counts every aggregation report carries: series left out as duplicates, NaN samples
/// skipped.
pub(crate) fn set_left_out(report: &JsValue, dropped_duplicates: usize, skipped_samples: usize) {
    set(
        report,
        "droppedDuplicates",
        &(dropped_duplicates as f64).into(),
    );
    set(report, "skippedSamples", &(skipped_samples as f64).into());
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(request: &web_sys::Request) -> Promise;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Closure<dyn FnMut()>, ms: u32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// A Prometheus HTTP API client over the global `fetch` (window, worker, Node 20).
#[wasm_bindgen]
pub struct PrometheusClient {
    config: Rc<ClientConfig>,
}

#[wasm_bindgen]
impl PrometheusClient {
    /// `new PrometheusClient({ baseUrl, headers?, timeoutMs? })`.
    #[wasm_bindgen(constructor)]
    pub fn new(opts: JsValue) -> Result<PrometheusClient, JsValue> {
        let opts: ClientOptions = struct_from_js(opts, "options")?;
        let config = ClientConfig::new(opts).map_err(client_error)?;
        Ok(Self {
            config: Rc::new(config),
        })
    }

    /// A client through Headlamp's Kubernetes service proxy.
    #[wasm_bindgen(js_name = headlampServiceProxy)]
    pub fn headlamp_service_proxy(opts: JsValue) -> Result<PrometheusClient, JsValue> {
        let opts: ServiceProxyOptions = struct_from_js(opts, "options")?;
        let config = ClientConfig::headlamp_service_proxy(opts).map_err(client_error)?;
        Ok(Self {
            config: Rc::new(config),
        })
    }

    /// The base URL requests go to.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.config.base_url.clone()
    }

    /// An instant query.
    pub fn query(&self, promql: String, time: Option<f64>, opts: JsValue) -> Promise {
        let url = self.config.query_url(&promql, time);
        self.request_result(url, opts)
    }

    /// An instant query's per-pod values (`aggregatePodsFromBytes` of its body), its body
    /// scanned while it arrives.
    #[wasm_bindgen(js_name = queryPods)]
    pub fn query_pods(
        &self,
        promql: String,
        time: Option<f64>,
        pod_options: JsValue,
        opts: JsValue,
    ) -> Promise {
        let url = self.config.query_url(&promql, time);
        self.request_pods(url, pod_options, opts)
    }

    /// `queryPods` for a range query.
    #[wasm_bindgen(js_name = queryRangePods)]
    pub fn query_range_pods(
        &self,
        promql: String,
        start: f64,
        end: f64,
        step: f64,
        pod_options: JsValue,
        opts: JsValue,
    ) -> Promise {
        let url = self.config.query_range_url(&promql, start, end, step);
        self.request_pods(url, pod_options, opts)
    }

    /// A range query.
    #[wasm_bindgen(js_name = queryRange)]
    pub fn query_range(
        &self,
        promql: String,
        start: f64,
        end: f64,
        step: f64,
        opts: JsValue,
    ) -> Promise {
        let url = self.config.query_range_url(&promql, start, end, step);
        self.request_result(url, opts)
    }

    /// `recommendResources` with this client running `planRecommendation`'s queries at
    /// `time` (default now), all at once.
    #[wasm_bindgen(js_name = recommendResources)]
    pub fn recommend_resources(&self, spec: JsValue, time: Option<f64>, opts: JsValue) -> Promise {
        let planned = crate::recommend::planned(spec);
        let requests: Vec<(Need, Promise)> = match &planned {
            Ok((_, plan)) => plan
                .queries
                .iter()
                .map(|q| {
                    let url = self.config.query_url(&q.promql, time);
                    let request = self.request(url, opts.clone(), |body, max| {
                        // Pairs: the keys are not strings, and a JS object has only those.
                        response::parse_query_response(body, max)
                            .map(|r| to_js(&container_values(&r).into_iter().collect::<Vec<_>>()))
                    });
                    (q.need, request)
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        future_to_promise(async move {
            let (spec, plan) = planned?;
            let all: Array = requests.iter().map(|(_, p)| JsValue::from(p)).collect();
            let values: Array = JsFuture::from(Promise::all(&all)).await?.unchecked_into();
            let mut answers = Answers::new();
            for (i, (need, _)) in requests.iter().enumerate() {
                let by: Vec<(ContainerKey, f64)> =
                    struct_from_js(values.get(i as u32), need.name())?;
                answers.insert(*need, by.into_iter().collect());
            }
            Ok(crate::recommend::recommendation_to_js(
                &spec, &plan, &answers,
            ))
        })
    }

    /// The active scrape targets.
    pub fn targets(&self, opts: JsValue) -> Promise {
        let url = Ok(self.config.targets_url());
        self.request(url, opts, |body, max| {
            response::parse_targets_response(body, max).map(|t| targets_to_js(&t))
        })
    }
}

fn targets_to_js(targets: &[response::Target]) -> JsValue {
    let out = Array::new_with_length(targets.len() as u32);
    for (i, t) in targets.iter().enumerate() {
        let item: JsValue = Object::new().into();
        set(&item, "job", &t.job.as_str().into());
        set(&item, "scrapePool", &t.scrape_pool.as_str().into());
        set(&item, "scrapeUrl", &t.scrape_url.as_str().into());
        set(&item, "health", &t.health.as_str().into());
        set(&item, "lastError", &t.last_error.as_str().into());
        set(&item, "lastScrape", &t.last_scrape.into());
        set(&item, "labels", &labels_to_js(&t.labels));
        out.set(i as u32, item);
    }
    out.into()
}

impl PrometheusClient {
    fn request(
        &self,
        url: Result<String, ClientError>,
        opts: JsValue,
        parse: impl Fn(&[u8], usize) -> Result<JsValue, ResponseError> + 'static,
    ) -> Promise {
        let config = Rc::clone(&self.config);
        let signal = get(&opts, "signal");
        future_to_promise(async move {
            let exchange = Exchange::start(&config, url, signal).await?;
            let body = exchange.bytes().await.map_err(client_error)?;
            exchange
                .interpret(&body, config.max_bytes, parse)
                .map_err(client_error)
        })
    }

    /// A query or query_range request whose result keeps its columns in wasm (see kept.rs).
    fn request_result(&self, url: Result<String, ClientError>, opts: JsValue) -> Promise {
        let config = Rc::clone(&self.config);
        let signal = get(&opts, "signal");
        future_to_promise(async move {
            let exchange = Exchange::start(&config, url, signal).await?;
            let mut body = exchange.bytes().await.map_err(client_error)?;
            if (200..300).contains(&exchange.response.status()) {
                match kept::keep(body, config.max_bytes) {
                    Ok(result) => return Ok(result),
                    Err((recovered, _)) => body = recovered,
                }
            }
            // Not a success, or not one that parses: the status-aware reading says why.
            exchange
                .interpret(&body, config.max_bytes, |body, max| {
                    kept::keep(body.to_vec(), max).map_err(|(_, e)| e)
                })
                .map_err(client_error)
        })
    }

    /// A query whose body is scanned as it arrives, then aggregated per pod.
    fn request_pods(
        &self,
        url: Result<String, ClientError>,
        pod_options: JsValue,
        opts: JsValue,
    ) -> Promise {
        let config = Rc::clone(&self.config);
        let signal = get(&opts, "signal");
        let call = PodCall::read(pod_options).and_then(|call| {
            if call.max_bytes.is_some() {
                return Err(invalid(
                    "podOptions.maxBytes: the client's own maxBytes limits its responses",
                ));
            }
            // A unit that cannot convert fails before the request, not after its body.
            units::conversion(
                call.aggregate.source_unit.as_deref(),
                call.aggregate.unit.as_deref(),
            )
            .map_err(query_error)?;
            Ok(call)
        });
        future_to_promise(async move {
            let call = call?;
            let exchange = Exchange::start(&config, url, signal).await?;
            let columns = match exchange
                .scanned(config.max_bytes)
                .await
                .map_err(client_error)?
            {
                Streamed::Scanned(columns) => columns,
                Streamed::Whole(body) => exchange
                    .interpret(&body, config.max_bytes, client::parse_query)
                    .map_err(client_error)?,
            };
            crate::bytes::bytes_report(&call, &columns)
        })
    }
}

/// Why the request's own AbortController fired.
#[derive(Clone, Copy, PartialEq)]
enum Abort {
    None,
    Timeout,
    Caller,
}

/// A body as [`Exchange::scanned`] read it.
enum Streamed {
    /// Read by the stream scanner while it arrived.
    Scanned(response::QueryResult<'static>),
    /// The whole body, for `interpret`: not a success, or not what the stream scanner reads.
    Whole(Vec<u8>),
}

/// A request in flight: its own abort controller, fired by the timeout or the caller's signal.
/// Dropping it clears the timer and the caller's abort listener.
struct InFlight {
    url: String,
    timeout_ms: u32,
    controller: web_sys::AbortController,
    reason: Rc<Cell<Abort>>,
    timer: JsValue,
    caller_signal: Option<web_sys::AbortSignal>,
    _on_timeout: Closure<dyn FnMut()>,
    on_caller_abort: Closure<dyn FnMut()>,
}

impl InFlight {
    fn start(
        config: &ClientConfig,
        url: &str,
        caller_signal: Option<web_sys::AbortSignal>,
    ) -> Result<InFlight, ClientError> {
        if caller_signal.as_ref().is_some_and(|s| s.aborted()) {
            return Err(ClientError::Aborted {
                url: url.to_owned(),
            });
        }
        let controller = web_sys::AbortController::new().map_err(|e| ClientError::Network {
            url: url.to_owned(),
            message: describe(&e),
        })?;
        let reason = Rc::new(Cell::new(Abort::None));
        let on_timeout = {
            let (controller, reason) = (controller.clone(), Rc::clone(&reason));
            Closure::<dyn FnMut()>::new(move || {
                reason.set(Abort::Timeout);
                controller.abort();
            })
        };
        let on_caller_abort = {
            let (controller, reason) = (controller.clone(), Rc::clone(&reason));
            Closure::<dyn FnMut()>::new(move || {
                reason.set(Abort::Caller);
                controller.abort();
            })
        };
        if let Some(signal) = &caller_signal {
            let _ = signal.add_event_listener_with_callback(
                "abort",
                on_caller_abort.as_ref().unchecked_ref(),
            );
        }
        Ok(InFlight {
            url: url.to_owned(),
            timeout_ms: config.timeout_ms,
            timer: set_timeout(&on_timeout, config.timeout_ms),
            controller,
            reason,
            caller_signal,
            _on_timeout: on_timeout,
            on_caller_abort,
        })
    }

    /// The error for a rejected `fetch` or body read: a timeout, the caller's abort, or the
    /// network.
    fn failed(&self, error: &JsValue) -> ClientError {
        match self.reason.get() {
            Abort::Timeout => ClientError::Timeout {
                url: self.url.clone(),
                timeout_ms: self.timeout_ms,
            },
            Abort::Caller => ClientError::Aborted {
                url: self.url.clone(),
            },
            Abort::None => ClientError::Network {
                url: self.url.clone(),
                message: describe(error),
            },
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        clear_timeout(&self.timer);
        if let Some(signal) = &self.caller_signal {
            let _ = signal.remove_event_listener_with_callback(
                "abort",
                self.on_caller_abort.as_ref().unchecked_ref(),
            );
        }
    }
}

/// A request whose response headers have arrived: its body is still to read, under the same
/// timeout and abort signal.
struct Exchange {
    in_flight: InFlight,
    response: web_sys::Response,
    retry_after: Option<String>,
    content_length: Option<usize>,
}

impl Exchange {
    /// [`Exchange::open`] of a request's URL (when it could be built) and the caller's
    /// `signal` option (when it is an AbortSignal), failing as the promise rejects.
    async fn start(
        config: &ClientConfig,
        url: Result<String, ClientError>,
        signal: JsValue,
    ) -> Result<Exchange, JsValue> {
        let url = url.map_err(client_error)?;
        let signal = signal.dyn_into::<web_sys::AbortSignal>().ok();
        Exchange::open(config, &url, signal)
            .await
            .map_err(client_error)
    }

    /// Sends the request and waits for the response's headers; a declared body over
    /// `maxBytes` is refused here, before it is read.
    async fn open(
        config: &ClientConfig,
        url: &str,
        caller_signal: Option<web_sys::AbortSignal>,
    ) -> Result<Exchange, ClientError> {
        let in_flight = InFlight::start(config, url, caller_signal)?;
        let headers = web_sys::Headers::new().map_err(|e| in_flight.failed(&e))?;
        for (name, value) in &config.headers {
            headers.append(name, value).map_err(|_| {
                ClientError::InvalidArgument(format!("headers: {name:?} is not a valid header"))
            })?;
        }
        let init = web_sys::RequestInit::new();
        init.set_method("GET");
        init.set_headers(&headers);
        init.set_signal(Some(&in_flight.controller.signal()));
        init.set_redirect(web_sys::RequestRedirect::Manual);
        let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(|e| {
            ClientError::InvalidArgument(format!("baseUrl: cannot request {url}: {}", describe(&e)))
        })?;
        let response: web_sys::Response = JsFuture::from(global_fetch(&request))
            .await
            .map_err(|e| in_flight.failed(&e))?
            .unchecked_into();
        let header = |name: &str| response.headers().get(name).ok().flatten();
        let retry_after = header("retry-after");
        let content_length = header("content-length");
        if let Err(e) = config.check_content_length(
            response.status(),
            content_length.as_deref(),
            retry_after.as_deref(),
        ) {
            in_flight.controller.abort();
            return Err(e);
        }
        Ok(Exchange {
            in_flight,
            content_length: content_length.and_then(|v| v.trim().parse::<usize>().ok()),
            retry_after,
            response,
        })
    }

    fn failed(&self, error: &JsValue) -> ClientError {
        self.in_flight.failed(error)
    }

    /// The whole body.
    async fn bytes(&self) -> Result<Vec<u8>, ClientError> {
        let buffer = self.response.array_buffer().map_err(|e| self.failed(&e))?;
        let buffer = JsFuture::from(buffer).await.map_err(|e| self.failed(&e))?;
        Ok(Uint8Array::new(&buffer).to_vec())
    }

    /// A success's body through the stream scanner, chunk by chunk as `fetch` hands them over,
    /// refused as soon as it passes `max_bytes`. The chunks are kept (by reference, in JS) until
    /// the end, for the whole-body reading should the stream scanner give up.
    async fn scanned(&self, max_bytes: usize) -> Result<Streamed, ClientError> {
        let status = self.response.status();
        let body = match self.response.body() {
            Some(body) if (200..300).contains(&status) => body,
            _ => return self.bytes().await.map(Streamed::Whole),
        };
        let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
        let mut stream = ResultStream::new(self.content_length);
        let mut chunks: Vec<Uint8Array> = Vec::new();
        loop {
            let next = JsFuture::from(reader.read())
                .await
                .map_err(|e| self.failed(&e))?;
            if get(&next, "done").is_truthy() {
                break;
            }
            let chunk: Uint8Array = get(&next, "value").unchecked_into();
            let len = chunk.length() as usize;
            let size = stream.received() + len;
            if size > max_bytes {
                let _ = reader.cancel();
                self.in_flight.controller.abort();
                return Err(ClientError::Response {
                    error: ResponseError::TooLarge {
                        size,
                        max: max_bytes,
                    },
                    status,
                    retry_after: client::parse_retry_after(self.retry_after.as_deref()),
                });
            }
            stream.push_with(len, |into| chunk.copy_to(into));
            chunks.push(chunk);
        }
        if let Some(columns) = stream.finish() {
            return Ok(Streamed::Scanned(columns));
        }
        let mut body = Vec::with_capacity(chunks.iter().map(|c| c.length() as usize).sum());
        for chunk in chunks {
            let start = body.len();
            body.resize(start + chunk.length() as usize, 0);
            chunk.copy_to(&mut body[start..]);
        }
        Ok(Streamed::Whole(body))
    }

    /// [`client::interpret`] of `body` under this response's status and `Retry-After`.
    fn interpret<T>(
        &self,
        body: &[u8],
        max_bytes: usize,
        parse: impl Fn(&[u8], usize) -> Result<T, ResponseError>,
    ) -> Result<T, ClientError> {
        client::interpret(
            self.response.status(),
            body,
            self.retry_after.as_deref(),
            max_bytes,
            parse,
        )
    }
}

fn describe(error: &JsValue) -> String {
    if let Some(e) = error.dyn_ref::<js_sys::Error>() {
        let message = String::from(e.message());
        // Node's fetch hides the reason (ECONNREFUSED, ...) in `cause`.
        let cause = get(error, "cause");
        match get(&cause, "code").as_string().or_else(|| {
            cause
                .dyn_ref::<js_sys::Error>()
                .map(|c| String::from(c.message()))
        }) {
            Some(cause) => format!("{message} ({cause})"),
            None => message,
        }
    } else {
        error.as_string().unwrap_or_else(|| "unknown error".into())
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct KueueOptions {
    now: Option<f64>,
    cluster_queue: Option<String>,
    head_limit: Option<f64>,
}

fn kueue_report(body: JsValue, opts: JsValue) -> Result<kubeprom::kueue::SummaryReport, JsValue> {
    let opts: KueueOptions = options(opts, "options")?;
    let mut summary_opts = kubeprom::kueue::SummaryOptions::new(
        opts.now.unwrap_or_else(|| js_sys::Date::now() / 1000.0),
    );
    summary_opts.cluster_queue = opts.cluster_queue.unwrap_or_default();
    if let Some(limit) = opts.head_limit {
        summary_opts.head_limit = limit.max(0.0) as usize;
    }
    let bytes = body_bytes(&body)?;
    kubeprom::kueue::pending_summary(&bytes, &summary_opts)
        .map_err(|e| error(e.kind(), &e.to_string(), None, None))
}

/// Per cluster queue and local queue numbers from a visibility API `PendingWorkloadsSummary`.
#[wasm_bindgen(js_name = kueuePendingSummary)]
pub fn kueue_pending_summary(body: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    kueue_report(body, opts).map(|report| to_js(&report.summaries))
}

/// `kueuePendingSummary` with the items that could not be read.
#[wasm_bindgen(js_name = kueuePendingReport)]
pub fn kueue_pending_report(body: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    kueue_report(body, opts).map(|report| to_js(&report))
}

/// Prometheus text exposition (0.0.4) of queue summaries.
#[wasm_bindgen(js_name = toExposition)]
pub fn to_exposition(summaries: JsValue) -> Result<String, JsValue> {
    let summaries: Vec<kubeprom::kueue::QueueSummary> =
        serde_wasm_bindgen::from_value(summaries)
            .map_err(|e| invalid(format!("summaries: {e}")))?;
    Ok(kubeprom::kueue::to_exposition(&summaries))
}

/// A Kubernetes resource quantity (`250m`, `200Mi`, `1e3`) in its base unit (cores, bytes).
#[wasm_bindgen(js_name = parseQuantity)]
pub fn parse_quantity(quantity: JsValue) -> Result<f64, JsValue> {
    let Some(text) = quantity.as_string() else {
        return Err(invalid(
            "quantity: expected a string such as \"250m\" or \"200Mi\"",
        ));
    };
    kubeprom::quantity::parse_quantity(&text)
        .map_err(|e| error(e.kind(), &e.to_string(), None, None))
}

/// Text for a value in `unit`, by the rules every plugin shares (`250m`, `11.7 GiB`, `0.5/s`,
/// `1m 15s`, `—` for no value).
#[wasm_bindgen(js_name = formatValue)]
pub fn format_value(value: f64, unit: JsValue) -> Result<String, JsValue> {
    let unit = match unit.as_string() {
        Some(unit) => unit,
        None if unit.is_undefined() || unit.is_null() => String::new(),
        None => return Err(invalid("unit: expected a string such as \"MiB\"")),
    };
    Ok(kubeprom::view::format_value(value, &unit))
}

/// A duration in seconds as text in at most two units (`42s`, `1m 15s`, `1h 5m`).
#[wasm_bindgen(js_name = formatDuration)]
pub fn format_duration(seconds: f64) -> String {
    kubeprom::view::format_duration(seconds)
}

/// Seconds in a PromQL duration (`30s`, `1m30s`, `1h`); anything else is an
/// `invalid_argument` error.
#[wasm_bindgen(js_name = parseDuration)]
pub fn parse_duration(text: JsValue) -> Result<f64, JsValue> {
    let Some(text) = text.as_string() else {
        return Err(invalid("duration: expected a string such as \"5m\""));
    };
    kubeprom::query::PromDuration::parse(text.trim(), "duration")
        .map(|d| d.as_secs_f64())
        .map_err(query_error)
}

/// Exact-match labels written one `label=value` per line (plugin settings), as an object for a
/// custom metric's `matchers`; a line that is not one is an `invalid_argument` error naming it.
#[wasm_bindgen(js_name = parseMatcherLines)]
pub fn parse_matcher_lines(text: JsValue) -> Result<JsValue, JsValue> {
    let Some(text) = text.as_string() else {
        return Err(invalid("matchers: expected a string of label=value lines"));
    };
    kubeprom::query::parse_matcher_lines(&text)
        .map(|matchers| to_js(&matchers))
        .map_err(query_error)
}

/// A pod's current usage from Prometheus checked against metrics-server's: both sums, whether
/// they agree within the tolerance, and the likely causes when they do not.
#[wasm_bindgen(js_name = checkUsage)]
pub fn check_usage(
    prometheus: JsValue,
    metrics_server: JsValue,
    tolerance: JsValue,
) -> Result<JsValue, JsValue> {
    use kubeprom::crosscheck::{ContainerUsage, Tolerance};
    let side = |value: JsValue, what: &str| -> Result<Vec<ContainerUsage>, JsValue> {
        serde_wasm_bindgen::from_value(value).map_err(|e| {
            invalid(format!(
                "{what}: expected an array of {{ container, cpu, memory }}: {e}"
            ))
        })
    };
    let prometheus = side(prometheus, "prometheus")?;
    let metrics_server = side(metrics_server, "metricsServer")?;
    let tolerance: Tolerance = if tolerance.is_undefined() || tolerance.is_null() {
        Tolerance::default()
    } else {
        struct_from_js(tolerance, "tolerance")?
    };
    tolerance.check().map_err(query_error)?;
    Ok(to_js(&kubeprom::crosscheck::check_usage(
        &prometheus,
        &metrics_server,
        &tolerance,
    )))
}
