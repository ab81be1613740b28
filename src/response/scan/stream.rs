//! A `query` or `query_range` body scanned while it arrives: each chunk is appended and every
//! series that is complete is read into columns at once, so scanning overlaps receiving and
//! only the unfinished end of the body is held, not the body.
//!
//! The stream takes Prometheus' own layout (`status`, then `data` with `resultType` then
//! `result`, then `warnings`/`infos`) and whatever else the [scanner](super) reads inside it.
//! Anything else makes it give up ([`ResultStream::finish`] is `None`): the caller then reads the
//! whole body with [`parse_query_response`](super::parse_query_response), which decides, so
//! results and errors are the whole-body ones either way.

use super::{owned_labels, reserve_like, Histograms, QueryResult, ResultType, Scanner, Series};

/// How far before the end of the bytes at hand a step may stop and still be one that ran out
/// of bytes: such a step stops inside its last token, a label string at most. A step that stops
/// further back met something the scanner does not read, and waiting for more will not help.
const RAN_OUT_WITHIN: usize = 1 << 16;

/// Where in the body the stream is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    /// Before `"result":[`.
    Prefix,
    /// Inside the result array; `first` until its first series is read.
    Result { first: bool },
    /// After the result array: the rest of the envelope, read by [`ResultStream::finish`].
    Tail,
    /// Not a body this stream reads.
    GaveUp,
}

/// A query result scanned chunk by chunk (see the [module](self)).
#[derive(Debug)]
pub struct ResultStream {
    /// The bytes not yet read into `columns`, from `consumed` on.
    buf: Vec<u8>,
    consumed: usize,
    /// Body offset of `buf[0]`.
    base: usize,
    received: usize,
    /// The body's declared length, for reserving the sample arrays once.
    expected: Option<usize>,
    phase: Phase,
    columns: QueryResult<'static>,
    /// Unread bytes needed before the next try: twice as many as when a step last ran out, so
    /// a series longer than a chunk is re-read a logarithmic number of times, not once a chunk.
    retry_at: usize,
}

impl ResultStream {
    /// A stream for a body of `expected` bytes, if its length is known.
    pub fn new(expected: Option<usize>) -> Self {
        ResultStream {
            buf: Vec::new(),
            consumed: 0,
            base: 0,
            received: 0,
            expected,
            phase: Phase::Prefix,
            // The result type is set once the prefix is read.
            columns: QueryResult::scanning(ResultType::Matrix),
            retry_at: 0,
        }
    }

    /// Appends the next bytes of the body and reads every series they complete.
    pub fn push(&mut self, chunk: &[u8]) {
        self.push_with(chunk.len(), |into| into.copy_from_slice(chunk));
    }

    /// [`Self::push`] for `len` bytes that `fill` writes in place, so a chunk that lives
    /// elsewhere (a JS `Uint8Array`) is copied once, into the stream.
    pub fn push_with(&mut self, len: usize, fill: impl FnOnce(&mut [u8])) {
        self.received += len;
        if self.phase == Phase::GaveUp {
            return;
        }
        let start = self.buf.len();
        self.buf.resize(start + len, 0);
        fill(&mut self.buf[start..]);
        if self.buf.len() - self.consumed >= self.retry_at {
            self.advance(false);
        }
    }

    /// Bytes pushed so far.
    pub fn received(&self) -> usize {
        self.received
    }

    /// The result type, once the stream has read it.
    pub fn result_type(&self) -> Option<ResultType> {
        match self.phase {
            Phase::Prefix | Phase::GaveUp => None,
            Phase::Result { .. } | Phase::Tail => Some(self.columns.result_type),
        }
    }

    /// Whether the stream gave up on the body: [`Self::finish`] will be `None`, and the bytes
    /// still to come need not be pushed.
    pub fn gave_up(&self) -> bool {
        self.phase == Phase::GaveUp
    }

    /// The result, once the whole body has been pushed; `None` when the stream does not read
    /// this body (read it whole with `parse_query_response` then).
    pub fn finish(mut self) -> Option<QueryResult<'static>> {
        self.advance(true);
        if self.phase != Phase::Tail {
            return None;
        }
        let mut s = Scanner::new(&self.buf);
        s.i = self.consumed;
        s.expect(b'}').ok()?;
        let (mut warnings, mut infos) = (None, None);
        loop {
            if s.take(b'}') {
                break;
            }
            s.expect(b',').ok()?;
            match s.key().ok()?.as_ref() {
                "warnings" if warnings.is_none() => warnings = Some(s.strings().ok()?),
                "infos" if infos.is_none() => infos = Some(s.strings().ok()?),
                _ => return None,
            }
        }
        s.ws();
        if s.i != self.buf.len() {
            return None;
        }
        self.columns.warnings = warnings.unwrap_or_default();
        self.columns.infos = infos.unwrap_or_default();
        Some(self.columns)
    }

    /// Reads as far as the bytes at hand go; `at_end`: no more will come.
    fn advance(&mut self, at_end: bool) {
        loop {
            let mut s = Scanner::new(&self.buf);
            s.i = self.consumed;
            match self.phase {
                Phase::Prefix => match s.result_prefix() {
                    Ok(result_type) => {
                        self.columns.result_type = result_type;
                        self.consumed = s.i;
                        self.phase = Phase::Result { first: true };
                    }
                    Err(_) => return self.stopped(s.i, at_end),
                },
                Phase::Result { first } => {
                    let mut first_now = first;
                    let mark = self.columns.values.len();
                    let histogram_mark = self.columns.histograms.len();
                    let step = match s.more(b']', &mut first_now) {
                        Ok(true) => s
                            .series(self.columns.result_type, &mut self.columns)
                            .map(Some),
                        Ok(false) => Ok(None),
                        Err(e) => Err(e),
                    };
                    match step {
                        Ok(Some(series)) => {
                            let start = self.consumed;
                            self.consumed = s.i;
                            self.phase = Phase::Result { first: false };
                            self.columns.series.push(Series {
                                labels: owned_labels(series.labels, self.columns.series.last()),
                                start: series.start,
                                end: series.end,
                                histograms: series.histograms,
                                names_ascending: series.names_ascending,
                            });
                            if self.columns.series.len() == 1 {
                                if let Some(total) = self.expected {
                                    let rest = total.saturating_sub(self.base + self.consumed);
                                    reserve_like(self.consumed - start, rest, &mut self.columns);
                                }
                            }
                        }
                        Ok(None) => {
                            self.consumed = s.i;
                            self.phase = Phase::Tail;
                        }
                        Err(_) => {
                            let stop = s.i;
                            self.columns.timestamps.truncate(mark);
                            self.columns.values.truncate(mark);
                            self.columns.histograms.truncate(histogram_mark);
                            return self.stopped(stop, at_end);
                        }
                    }
                }
                Phase::Tail | Phase::GaveUp => return,
            }
        }
    }

    /// A step stopped at `stop`: out of bytes (wait for more, keeping only the unread ones), or
    /// at something the scanner does not read (give up).
    fn stopped(&mut self, stop: usize, at_end: bool) {
        if at_end || self.buf.len().saturating_sub(stop) > RAN_OUT_WITHIN {
            self.give_up();
            return;
        }
        self.buf.drain(..self.consumed);
        self.base += self.consumed;
        self.consumed = 0;
        self.retry_at = self.buf.len().saturating_mul(2);
    }

    fn give_up(&mut self) {
        self.phase = Phase::GaveUp;
        self.buf = Vec::new();
        self.columns.series = Vec::new();
        self.columns.timestamps = Vec::new();
        self.columns.values = Vec::new();
        self.columns.histograms = Histograms::default();
    }
}
