//! Walking an error's sources, as the HTTP clients (media servers, notifications) need to name the
//! innermost cause and find typed errors (resolver refusals, rustls) buried inside reqwest's.

use std::error::Error as StdError;
use std::io;

/// The error and its sources, innermost last. `io::Error::source` skips the error it wraps (a
/// rustls error inside tokio-rustls, for one), so this steps into it explicitly.
pub(crate) fn error_chain<'a>(top: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut chain = Vec::new();
    let mut next = Some(top);
    while let Some(err) = next {
        chain.push(err);
        next = match err.downcast_ref::<io::Error>().and_then(io::Error::get_ref) {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => err.source(),
        };
        if chain.len() > 16 {
            break;
        }
    }
    chain
}

/// The innermost cause's message, or nothing.
pub(crate) fn root_cause(e: &(dyn StdError + 'static)) -> String {
    error_chain(e).last().map_or_else(String::new, ToString::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_steps_into_io_errors_and_ends_at_the_innermost_cause() {
        let inner = std::fmt::Error;
        let io = io::Error::other(inner);
        let chain = error_chain(&io);
        assert_eq!(chain.len(), 2, "{chain:?}");
        assert!(chain[1].downcast_ref::<std::fmt::Error>().is_some());
        assert_eq!(root_cause(&io), std::fmt::Error.to_string());
    }
}
