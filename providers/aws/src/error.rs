//! AWS errors as plinth diagnostics: every failure keeps AWS's error code and message (the
//! engine adds the resource address), and "not found" codes are told apart so reads and deletes
//! can treat a vanished object as gone. Credentials never appear: only the code, the message and
//! what plinth was doing are shown.

use std::fmt;

use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use plinth_sdk::{AttrPath, Diagnostic, Diagnostics};

/// One failed AWS call (or a wait that ended badly).
#[derive(Clone, Debug, PartialEq)]
pub struct AwsError {
    /// AWS's error code (`InvalidVpcID.NotFound`), None for transport failures.
    pub code: Option<String>,
    /// AWS's message, or what went wrong.
    pub message: String,
}

impl AwsError {
    /// An error of plinth's own (a wait that timed out, an answer missing a field).
    pub fn other(message: impl Into<String>) -> AwsError {
        AwsError {
            code: None,
            message: message.into(),
        }
    }

    /// Whether AWS said the object does not exist.
    pub fn is_not_found(&self) -> bool {
        self.code.as_deref().is_some_and(|code| {
            code.starts_with("NoSuch")
                || code.ends_with(".NotFound")
                || code.ends_with("NotFound")
                || code.ends_with("NotFoundFault")
                || code == "InvalidAllocationID.NotFound"
                || code == "InvalidAssociationID.NotFound"
        })
    }

    /// Whether AWS's code is `code`.
    pub fn is(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }

    /// The error as a diagnostic saying what plinth was `doing`.
    pub fn diagnostic(&self, doing: &str) -> Diagnostic {
        Diagnostic::error(format!("{doing}: {self}"))
    }

    /// The error as a diagnostic pointing at `attribute` of the configuration.
    pub fn diagnostic_at(&self, doing: &str, attribute: &str) -> Diagnostic {
        self.diagnostic(doing)
            .with_attribute(AttrPath::attr(attribute))
    }

    /// The error as diagnostics.
    pub fn diagnostics(&self, doing: &str) -> Diagnostics {
        self.diagnostic(doing).into()
    }
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.code {
            Some(code) => write!(f, "{code}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl<E, R> From<SdkError<E, R>> for AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    fn from(error: SdkError<E, R>) -> AwsError {
        let code = error.code().map(str::to_string);
        let message = match (&code, error.message()) {
            (Some(_), Some(message)) => message.to_string(),
            _ => DisplayErrorContext(&error).to_string(),
        };
        AwsError { code, message }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_codes_are_recognised() {
        let gone = AwsError {
            code: Some("InvalidVpcID.NotFound".into()),
            message: "The vpc ID 'vpc-1' does not exist".into(),
        };
        assert!(gone.is_not_found());
        assert_eq!(
            gone.diagnostic("reading the VPC").summary,
            "reading the VPC: InvalidVpcID.NotFound: The vpc ID 'vpc-1' does not exist"
        );
        assert!(AwsError {
            code: Some("DBInstanceNotFound".into()),
            message: String::new()
        }
        .is_not_found());
        assert!(!AwsError {
            code: Some("DependencyViolation".into()),
            message: String::new()
        }
        .is_not_found());
    }
}
