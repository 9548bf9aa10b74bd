//! A report that could not be made: its data could not be serialised or a built-in template
//! failed (exit 1). A custom template that fails is an input error naming its line.

/// What was being written when serialisation failed, as the message names it.
pub type Writing = &'static str;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// `writing` is e.g. "writing CSV", "writing JSON", "could not prepare the report data".
    #[error("{writing}: {source}")]
    Serialize {
        writing: Writing,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("built-in template {file}: {source}")]
    BuiltinTemplate {
        file: String,
        source: Box<handlebars::TemplateError>,
    },
    #[error("could not render the HTML report: {0}")]
    Render(#[source] Box<handlebars::RenderError>),
}

impl ReportError {
    /// Serialisation of `writing` failed with `source`.
    pub fn serialize(
        writing: Writing,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> ReportError {
        ReportError::Serialize {
            writing,
            source: Box::new(source),
        }
    }
}
