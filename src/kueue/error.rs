//! The one error type of the Kueue module.

/// Why a visibility response or an argument could not be used.
///
/// [`KueueError::kind`] gives the `KubepromError.kind` string the wasm layer throws with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KueueError {
    /// The body is not a `PendingWorkloadsSummary`: not JSON, truncated, the wrong kind of
    /// object, or (when no item at all could be read) bad items.
    #[error("malformed Kueue visibility response: {}", at_path(.path, .message))]
    Malformed {
        /// JSON path of the bad field, e.g. `items[3].metadata.creationTimestamp`; empty for
        /// the document as a whole.
        path: String,
        /// What is wrong there.
        message: String,
    },
    /// An option or an argument passed by the caller is out of its domain.
    #[error("invalid argument: {}", at_path(.argument, .message))]
    InvalidArgument {
        /// Name (or path, for nested input) of the argument, e.g. `now` or `[2].wait.buckets`.
        argument: String,
        /// What is wrong with it.
        message: String,
    },
}

impl KueueError {
    /// The error's kind as the JS API spells it: `"malformed"` or `"invalid_argument"`.
    pub fn kind(&self) -> &'static str {
        match self {
            KueueError::Malformed { .. } => "malformed",
            KueueError::InvalidArgument { .. } => "invalid_argument",
        }
    }

    /// The JSON path (for [`KueueError::Malformed`]) or argument name the error is about.
    pub fn path(&self) -> &str {
        match self {
            KueueError::Malformed { path, .. } => path,
            KueueError::InvalidArgument { argument, .. } => argument,
        }
    }

    pub(crate) fn malformed(path: impl Into<String>, message: impl Into<String>) -> Self {
        KueueError::Malformed {
            path: path.into(),
            message: message.into(),
        }
    }

    pub(crate) fn invalid_argument(
        argument: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        KueueError::InvalidArgument {
            argument: argument.into(),
            message: message.into(),
        }
    }
}

fn at_path(path: &str, message: &str) -> String {
    if path.is_empty() {
        message.to_owned()
    } else {
        format!("{path}: {message}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_messages() {
        let e = KueueError::malformed("items[3].metadata.creationTimestamp", "not a date");
        assert_eq!(e.kind(), "malformed");
        assert_eq!(e.path(), "items[3].metadata.creationTimestamp");
        assert_eq!(
            e.to_string(),
            "malformed Kueue visibility response: items[3].metadata.creationTimestamp: not a date"
        );
        let root = KueueError::malformed("", "expected a JSON object");
        assert_eq!(
            root.to_string(),
            "malformed Kueue visibility response: expected a JSON object"
        );
        let arg = KueueError::invalid_argument("now", "must be finite");
        assert_eq!(arg.kind(), "invalid_argument");
        assert_eq!(arg.to_string(), "invalid argument: now: must be finite");
    }
}
