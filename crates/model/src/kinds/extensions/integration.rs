//! Knative's own Apache Camel Kamelet kinds: IntegrationSource, IntegrationSink. Their AWS
//! settings are one set of types, as in Knative's `integration/v1alpha1` Go package.
//! Generated once from the CRD schema, kept by hand since: every field of the CRD, with its
//! description's first sentence.

#[cfg(not(target_arch = "wasm32"))]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::LocalObjectReference;
use crate::kinds::duck::{CloudEventOverrides, Destination};
use crate::kinds::embedded::PodTemplateSpec;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct IntegrationSourceTimer {
    /// The interval (in milliseconds) to wait between producing the next message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<i64>,
    /// The message to generate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The content type of the generated message.
    #[serde(rename = "contentType", skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Specifies a maximum limit of number of fires
    #[serde(rename = "repeatCount", skip_serializing_if = "Option::is_none")]
    pub repeat_count: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct AwsS3 {
    /// The S3 Bucket name or Amazon Resource Name (ARN).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// Specifies to delete objects after consuming them.
    #[serde(rename = "deleteAfterRead", skip_serializing_if = "Option::is_none")]
    pub delete_after_read: Option<bool>,
    /// Move objects from S3 bucket to a different bucket after they have been retrieved.
    #[serde(rename = "moveAfterRead", skip_serializing_if = "Option::is_none")]
    pub move_after_read: Option<bool>,
    /// Define the destination bucket where an object must be moved when moveAfterRead is set to true.
    #[serde(rename = "destinationBucket", skip_serializing_if = "Option::is_none")]
    pub destination_bucket: Option<String>,
    /// Define the destination bucket prefix to use when an object must be moved, and moveAfterRead is set to true.
    #[serde(
        rename = "destinationBucketPrefix",
        skip_serializing_if = "Option::is_none"
    )]
    pub destination_bucket_prefix: Option<String>,
    /// Define the destination bucket suffix to use when an object must be moved, and moveAfterRead is set to true.
    #[serde(
        rename = "destinationBucketSuffix",
        skip_serializing_if = "Option::is_none"
    )]
    pub destination_bucket_suffix: Option<String>,
    /// The AWS region to access.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Specifies to automatically create the S3 bucket.
    #[serde(rename = "autoCreateBucket", skip_serializing_if = "Option::is_none")]
    pub auto_create_bucket: Option<bool>,
    /// The AWS S3 bucket prefix to consider while searching.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// If true, the S3 Object body is ignored.
    #[serde(rename = "ignoreBody", skip_serializing_if = "Option::is_none")]
    pub ignore_body: Option<bool>,
    /// The overriding endpoint URI.
    #[serde(
        rename = "uriEndpointOverride",
        skip_serializing_if = "Option::is_none"
    )]
    pub uri_endpoint_override: Option<String>,
    /// Select this option to override the endpoint URI.
    #[serde(rename = "overrideEndpoint", skip_serializing_if = "Option::is_none")]
    pub override_endpoint: Option<bool>,
    /// Forces path style when accessing AWS S3 buckets.
    #[serde(rename = "forcePathStyle", skip_serializing_if = "Option::is_none")]
    pub force_path_style: Option<bool>,
    /// The number of milliseconds before the next poll of the selected bucket.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<i64>,
    /// Gets the maximum number of messages as a limit to poll at each polling.
    #[serde(rename = "maxMessagesPerPoll", skip_serializing_if = "Option::is_none")]
    pub max_messages_per_poll: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct AwsSqs {
    /// The SQS Queue Name or ARN
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// Delete messages after consuming them
    #[serde(rename = "deleteAfterRead", skip_serializing_if = "Option::is_none")]
    pub delete_after_read: Option<bool>,
    /// The AWS region to access.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Setting the autocreation of the SQS queue.
    #[serde(rename = "autoCreateQueue", skip_serializing_if = "Option::is_none")]
    pub auto_create_queue: Option<bool>,
    /// The hostname of the Amazon AWS cloud.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The underlying protocol used to communicate with SQS
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// The full SQS Queue URL (required if using KEDA)
    #[serde(rename = "queueURL", skip_serializing_if = "Option::is_none")]
    pub queue_url: Option<String>,
    /// The overriding endpoint URI.
    #[serde(
        rename = "uriEndpointOverride",
        skip_serializing_if = "Option::is_none"
    )]
    pub uri_endpoint_override: Option<String>,
    /// Select this option to override the endpoint URI.
    #[serde(rename = "overrideEndpoint", skip_serializing_if = "Option::is_none")]
    pub override_endpoint: Option<bool>,
    /// The number of milliseconds before the next poll of the selected stream
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<i64>,
    /// If greedy is enabled, then the polling will happen immediately again, if the previous run polled 1 or more messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub greedy: Option<bool>,
    /// The maximum number of messages to return.
    #[serde(rename = "maxMessagesPerPoll", skip_serializing_if = "Option::is_none")]
    pub max_messages_per_poll: Option<i64>,
    /// The duration (in seconds) for which the call waits for a message to arrive in the queue before returning.
    #[serde(rename = "waitTimeSeconds", skip_serializing_if = "Option::is_none")]
    pub wait_time_seconds: Option<i64>,
    /// The duration (in seconds) that the received messages are hidden from subsequent retrieve requests after being retrieved by a ReceiveMessage request.
    #[serde(rename = "visibilityTimeout", skip_serializing_if = "Option::is_none")]
    pub visibility_timeout: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct IntegrationSourceAwsDdbStreams {
    /// The name of the DynamoDB table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The AWS region to access.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Defines where in the DynamoDB stream to start getting records.
    #[serde(rename = "streamIteratorType", skip_serializing_if = "Option::is_none")]
    pub stream_iterator_type: Option<String>,
    /// The overriding endpoint URI.
    #[serde(
        rename = "uriEndpointOverride",
        skip_serializing_if = "Option::is_none"
    )]
    pub uri_endpoint_override: Option<String>,
    /// Select this option to override the endpoint URI.
    #[serde(rename = "overrideEndpoint", skip_serializing_if = "Option::is_none")]
    pub override_endpoint: Option<bool>,
    /// The number of milliseconds before the next poll from the database.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<i64>,
}

/// Auth secret
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct AwsAuthSecret {
    /// Secret reference.
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub r#ref: Option<LocalObjectReference>,
}

/// Auth configurations
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct AwsAuth {
    /// Auth secret
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<AwsAuthSecret>,
    /// Optional ServiceAccount to assign to pod.
    #[serde(rename = "serviceAccountName", skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct IntegrationSourceAws {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3: Option<AwsS3>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sqs: Option<AwsSqs>,
    #[serde(rename = "ddbStreams", skip_serializing_if = "Option::is_none")]
    pub ddb_streams: Option<IntegrationSourceAwsDdbStreams>,
    /// Auth configurations
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<AwsAuth>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct IntegrationSourceSpec {
    /// CloudEventOverrides defines overrides to control the output format and modifications of the event sent to the sink.
    #[serde(rename = "ceOverrides", skip_serializing_if = "Option::is_none")]
    pub ce_overrides: Option<CloudEventOverrides>,
    /// Sink is a reference to an object that will resolve to a uri to use as the sink.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sink: Option<Destination>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timer: Option<IntegrationSourceTimer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws: Option<IntegrationSourceAws>,
    /// A template in the shape of `Deployment.spec.template` to be used for this ContainerSource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<PodTemplateSpec>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct IntegrationSinkLog {
    /// Name of the logging category to use
    #[serde(rename = "loggerName", skip_serializing_if = "Option::is_none")]
    pub logger_name: Option<String>,
    /// Logging level to use
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Mask sensitive information like password or passphrase in the log
    #[serde(rename = "logMask", skip_serializing_if = "Option::is_none")]
    pub log_mask: Option<bool>,
    /// An optional Marker name to use
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    /// If enabled then each information is outputted on a newline
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multiline: Option<bool>,
    /// Show all of the exchange properties (both internal and custom)
    #[serde(rename = "showAllProperties", skip_serializing_if = "Option::is_none")]
    pub show_all_properties: Option<bool>,
    /// Show the message body
    #[serde(rename = "showBody", skip_serializing_if = "Option::is_none")]
    pub show_body: Option<bool>,
    /// Show the body Java type
    #[serde(rename = "showBodyType", skip_serializing_if = "Option::is_none")]
    pub show_body_type: Option<bool>,
    /// Shows the Message Exchange Pattern (or MEP for short)
    #[serde(
        rename = "showExchangePattern",
        skip_serializing_if = "Option::is_none"
    )]
    pub show_exchange_pattern: Option<bool>,
    /// Show the headers received
    #[serde(rename = "showHeaders", skip_serializing_if = "Option::is_none")]
    pub show_headers: Option<bool>,
    /// Show the exchange properties (only custom).
    #[serde(rename = "showProperties", skip_serializing_if = "Option::is_none")]
    pub show_properties: Option<bool>,
    /// Show the stream bodies (they may not be available in following steps)
    #[serde(rename = "showStreams", skip_serializing_if = "Option::is_none")]
    pub show_streams: Option<bool>,
    /// Whether Camel should show cached stream bodies or not.
    #[serde(rename = "showCachedStreams", skip_serializing_if = "Option::is_none")]
    pub show_cached_streams: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct IntegrationSinkAwsSns {
    /// The SNS topic name name or Amazon Resource Name (ARN).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// The AWS region to access.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Setting the autocreation of the SNS topic.
    #[serde(rename = "autoCreateTopic", skip_serializing_if = "Option::is_none")]
    pub auto_create_topic: Option<bool>,
    /// The overriding endpoint URI.
    #[serde(
        rename = "uriEndpointOverride",
        skip_serializing_if = "Option::is_none"
    )]
    pub uri_endpoint_override: Option<String>,
    /// Select this option to override the endpoint URI.
    #[serde(rename = "overrideEndpoint", skip_serializing_if = "Option::is_none")]
    pub override_endpoint: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct IntegrationSinkAws {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3: Option<AwsS3>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sqs: Option<AwsSqs>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sns: Option<IntegrationSinkAwsSns>,
    /// Auth configurations
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<AwsAuth>,
}

/// Spec defines the desired state of the IntegrationSink.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(JsonSchema))]
pub struct IntegrationSinkSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<IntegrationSinkLog>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws: Option<IntegrationSinkAws>,
}
