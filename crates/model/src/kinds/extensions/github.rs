//! GitHub (knative-extensions/eventing-github): GitHubSource.
//! Generated once from the CRD schema, kept by hand since: every field of the CRD, with its
//! description's first sentence.

#[cfg(not(target_arch = "wasm32"))]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::SecretValueFromSource;
use crate::kinds::duck::{CloudEventOverrides, Destination};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub enum GitHubSourceEventType {
    #[default]
    #[serde(rename = "check_suite")]
    CheckSuite,
    #[serde(rename = "commit_comment")]
    CommitComment,
    #[serde(rename = "create")]
    Create,
    #[serde(rename = "delete")]
    Delete,
    #[serde(rename = "deployment")]
    Deployment,
    #[serde(rename = "deployment_status")]
    DeploymentStatus,
    #[serde(rename = "fork")]
    Fork,
    #[serde(rename = "gollum")]
    Gollum,
    #[serde(rename = "installation")]
    Installation,
    #[serde(rename = "integration_installation")]
    IntegrationInstallation,
    #[serde(rename = "issue_comment")]
    IssueComment,
    #[serde(rename = "issues")]
    Issues,
    #[serde(rename = "label")]
    Label,
    #[serde(rename = "member")]
    Member,
    #[serde(rename = "membership")]
    Membership,
    #[serde(rename = "milestone")]
    Milestone,
    #[serde(rename = "organization")]
    Organization,
    #[serde(rename = "org_block")]
    OrgBlock,
    #[serde(rename = "page_build")]
    PageBuild,
    #[serde(rename = "ping")]
    Ping,
    #[serde(rename = "project_card")]
    ProjectCard,
    #[serde(rename = "project_column")]
    ProjectColumn,
    #[serde(rename = "project")]
    Project,
    #[serde(rename = "public")]
    Public,
    #[serde(rename = "pull_request")]
    PullRequest,
    #[serde(rename = "pull_request_review")]
    PullRequestReview,
    #[serde(rename = "pull_request_review_comment")]
    PullRequestReviewComment,
    #[serde(rename = "push")]
    Push,
    #[serde(rename = "release")]
    Release,
    #[serde(rename = "repository")]
    Repository,
    #[serde(rename = "status")]
    Status,
    #[serde(rename = "team")]
    Team,
    #[serde(rename = "team_add")]
    TeamAdd,
    #[serde(rename = "watch")]
    Watch,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct GitHubSourceSpec {
    /// URL for enterprise GitHub
    #[serde(rename = "githubAPIURL", skip_serializing_if = "Option::is_none")]
    pub github_api_url: Option<String>,
    /// Reference to the GitHub repository to receive events from, in the format user/repository.
    #[serde(rename = "ownerAndRepository")]
    pub owner_and_repository: String,
    /// List of webhooks to enable on the selected GitHub repository.
    #[serde(rename = "eventTypes")]
    pub event_types: Vec<GitHubSourceEventType>,
    /// Access token for the GitHub API.
    #[serde(rename = "accessToken")]
    pub access_token: SecretValueFromSource,
    /// Arbitrary token used to validate requests to webhooks.
    #[serde(rename = "secretToken")]
    pub secret_token: SecretValueFromSource,
    /// Defines overrides to control modifications of the event sent to the sink.
    #[serde(rename = "ceOverrides", skip_serializing_if = "Option::is_none")]
    pub ce_overrides: Option<CloudEventOverrides>,
    #[serde(rename = "serviceAccountName", skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// The destination of events received from webhooks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sink: Option<Destination>,
    /// Secure can be set to true to configure the webhook to use https, or false to use http.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secure: Option<bool>,
}
