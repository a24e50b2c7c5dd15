//! GitLab (knative-extensions/eventing-gitlab): GitLabSource, GitLabBinding.
//! Generated once from the CRD schema, kept by hand since: every field of the CRD, with its
//! description's first sentence.

#[cfg(not(target_arch = "wasm32"))]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use indexmap::IndexMap;

use super::SecretValueFromSource;
use crate::kinds::duck::Destination;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub enum GitLabSourceEventType {
    #[default]
    #[serde(rename = "confidential_issues_events")]
    ConfidentialIssuesEvents,
    #[serde(rename = "confidential_note_events")]
    ConfidentialNoteEvents,
    #[serde(rename = "deployment_events")]
    DeploymentEvents,
    #[serde(rename = "feature_flag_events")]
    FeatureFlagEvents,
    #[serde(rename = "issues_events")]
    IssuesEvents,
    #[serde(rename = "job_events")]
    JobEvents,
    #[serde(rename = "merge_requests_events")]
    MergeRequestsEvents,
    #[serde(rename = "note_events")]
    NoteEvents,
    #[serde(rename = "pipeline_events")]
    PipelineEvents,
    #[serde(rename = "push_events")]
    PushEvents,
    #[serde(rename = "releases_events")]
    ReleasesEvents,
    #[serde(rename = "tag_push_events")]
    TagPushEvents,
    #[serde(rename = "wiki_page_events")]
    WikiPageEvents,
    #[serde(rename = "resource_access_token_events")]
    ResourceAccessTokenEvents,
}

/// Desired state of the event source.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct GitLabSourceSpec {
    /// URL of the GitLab project to receive events from.
    #[serde(rename = "projectUrl")]
    pub project_url: String,
    /// List of webhooks to enable on the selected GitLab project.
    #[serde(rename = "eventTypes")]
    pub event_types: Vec<GitLabSourceEventType>,
    /// Access token for the GitLab API.
    #[serde(rename = "accessToken")]
    pub access_token: SecretValueFromSource,
    /// Arbitrary token used to validate requests to webhooks.
    #[serde(rename = "secretToken")]
    pub secret_token: SecretValueFromSource,
    /// Whether requests to webhooks should be made over SSL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sslverify: Option<bool>,
    /// Service Account the receive adapter Pod should be using.
    #[serde(rename = "serviceAccountName", skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// The destination of events received from webhooks.
    pub sink: Destination,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct GitLabBindingSubjectSelector {
    #[serde(rename = "matchLabels")]
    pub match_labels: IndexMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct GitLabBindingSubject {
    #[serde(rename = "apiVersion", skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<GitLabBindingSubjectSelector>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct GitLabBindingSpec {
    #[serde(rename = "accessToken", skip_serializing_if = "Option::is_none")]
    pub access_token: Option<SecretValueFromSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<GitLabBindingSubject>,
}
