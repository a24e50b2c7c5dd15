//! Knative extension sources emit, on their own, the CloudEvents their upstream adapters build
//! (type, source, id, subject, extensions), with their ceOverrides; the designer's Send form
//! starts from that event and offers every type the source emits. Each flow is a source as its
//! project's docs write it, wired to one display service.

use cloudevents::{AttributesReader, Event};
use knflow_sim::sources::{offered_types, sample_event};
use knflow_sim::{Options, Simulation};

/// The sink every source below sends to.
const DISPLAY: &str = r#"
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: display
spec:
  template:
    spec:
      containers:
      - image: gcr.io/knative-releases/knative.dev/eventing/cmd/event_display
"#;

const SINK: &str = r#"
  sink:
    ref:
      apiVersion: serving.knative.dev/v1
      kind: Service
      name: display
"#;

/// A flow of `source` (whose spec ends where the sink goes) and the display service, in the
/// source's namespace.
fn flow(source: &str) -> knflow_model::Flow {
    let display = match source.split_once("  namespace: ") {
        Some((_, rest)) => {
            let ns = rest.lines().next().unwrap_or_default();
            DISPLAY.replace(
                "name: display",
                &format!("name: display\n  namespace: {ns}"),
            )
        }
        None => DISPLAY.to_string(),
    };
    let yaml = format!("{}{SINK}{display}", source.trim_end());
    let l = knflow_model::load_str(&yaml, "flow.yaml");
    assert!(!l.has_errors(), "{:?}", l.diagnostics);
    l.flow
}

fn ext(e: &Event, name: &str) -> Option<String> {
    e.extension(name).map(|v| v.to_string())
}

/// The events the source emits on its own, as delivered to the display service, in order.
fn delivered(f: &knflow_model::Flow, source: &str, until_ms: Option<u64>) -> Vec<(u64, Event)> {
    let mut sim = Simulation::new(
        f,
        Options {
            keep_trace: true,
            until_ms,
            ..Options::default()
        },
    )
    .unwrap();
    sim.send(f, source, None).unwrap();
    sim.run();
    let start = Options::default().start;
    sim.trace()
        .iter()
        .map(|h| {
            assert_eq!(&*h.hop.from, source, "{h:?}");
            assert_eq!(&*h.hop.to, "Service/display", "{h:?}");
            assert_eq!(
                h.hop.outcome,
                knflow_dataplane::HopOutcome::Delivered,
                "{h:?}"
            );
            let at = h
                .hop
                .event
                .time()
                .map(|t| (*t - start).num_milliseconds() as u64);
            (at.unwrap_or(0), (*h.hop.event).clone())
        })
        .collect()
}

fn types(events: &[(u64, Event)]) -> Vec<String> {
    events.iter().map(|(_, e)| e.ty().to_string()).collect()
}

/// The sample, what is delivered, and that the Send form offers `own` first.
fn check(f: &knflow_model::Flow, target: &str, own: &[&str]) -> (Event, Vec<(u64, Event)>) {
    let sample = sample_event(f, target).expect("a sample event");
    let offered = offered_types(f, target);
    assert_eq!(&offered[..own.len()], own, "{offered:?}");
    let sent = delivered(f, target, None);
    assert!(!sent.is_empty());
    assert_eq!(sent[0].1.ty(), sample.ty());
    assert_eq!(sent[0].1.source(), sample.source());
    (sample, sent)
}

#[test]
fn kafka_source_wraps_a_plain_record() {
    let f = flow(
        r#"
apiVersion: sources.knative.dev/v1beta1
kind: KafkaSource
metadata:
  name: kafka-source
  namespace: events
spec:
  consumerGroup: knative-group
  bootstrapServers:
  - my-cluster-kafka-bootstrap.kafka:9092
  topics:
  - knative-demo-topic
  - other-topic
  ceOverrides:
    extensions:
      team: payments
"#,
    );
    let (e, sent) = check(
        &f,
        // Both in one namespace, which the flow takes as its own.
        "KafkaSource/kafka-source",
        &["dev.knative.kafka.event"],
    );
    assert_eq!(e.ty(), "dev.knative.kafka.event");
    assert_eq!(
        e.source().to_string(),
        "/apis/v1/namespaces/events/kafkasources/kafka-source#knative-demo-topic"
    );
    assert_eq!(e.id(), "partition:0/offset:0");
    assert_eq!(e.subject(), Some("partition:0#0"));
    assert_eq!(ext(&e, "key"), ext(&e, "partitionkey"));
    assert!(ext(&e, "key").is_some());
    assert_eq!(ext(&e, "team").as_deref(), Some("payments"));
    assert_eq!(sent.len(), 1);
    assert_eq!(ext(&sent[0].1, "team").as_deref(), Some("payments"));
}

#[test]
fn github_source_sends_one_event_per_event_type() {
    let f = flow(
        r#"
apiVersion: sources.knative.dev/v1alpha1
kind: GitHubSource
metadata:
  name: github-source
spec:
  eventTypes:
  - pull_request
  - push
  ownerAndRepository: knative/docs
  accessToken:
    secretKeyRef:
      name: github-secret
      key: accessToken
  secretToken:
    secretKeyRef:
      name: github-secret
      key: secretToken
"#,
    );
    let own = [
        "dev.knative.source.github.pull_request",
        "dev.knative.source.github.push",
    ];
    let (e, sent) = check(&f, "GitHubSource/github-source", &own);
    assert_eq!(e.ty(), own[0]);
    assert_eq!(e.source().to_string(), "https://github.com/knative/docs");
    assert_eq!(e.subject(), Some("1"));
    assert_eq!(ext(&e, "owner").as_deref(), Some("knative"));
    assert_eq!(ext(&e, "repository").as_deref(), Some("docs"));
    assert_eq!(types(&sent), own);
    assert!(sent.iter().all(|(at, _)| *at == 0));
    assert!(sent
        .iter()
        .all(|(_, e)| e.source() == "https://github.com/knative/docs"));
}

#[test]
fn gitlab_source_types_follow_the_gitlab_event_header() {
    let f = flow(
        r#"
apiVersion: sources.knative.dev/v1alpha1
kind: GitLabSource
metadata:
  name: gitlabsource-sample
spec:
  eventTypes:
  - push_events
  - merge_requests_events
  - job_events
  projectUrl: https://gitlab.com/example/project
  accessToken:
    secretKeyRef:
      name: gitlabsecret
      key: accessToken
  secretToken:
    secretKeyRef:
      name: gitlabsecret
      key: secretToken
"#,
    );
    let own = [
        "dev.knative.sources.gitlab.push",
        "dev.knative.sources.gitlab.merge_request",
        "dev.knative.sources.gitlab.job",
    ];
    let (e, sent) = check(&f, "GitLabSource/gitlabsource-sample", &own);
    assert_eq!(e.ty(), own[0]);
    assert_eq!(e.source().to_string(), "https://gitlab.com/example/project");
    assert_eq!(ext(&e, "comgitlabevent").as_deref(), Some("Push Hook"));
    assert_eq!(types(&sent), own);
    let headers: Vec<_> = sent
        .iter()
        .map(|(_, e)| ext(e, "comgitlabevent").unwrap())
        .collect();
    assert_eq!(headers, ["Push Hook", "Merge Request Hook", "Job Hook"]);
}

#[test]
fn rabbitmq_source_names_its_queue_and_uses_the_message_id_as_subject() {
    let f = flow(
        r#"
apiVersion: sources.knative.dev/v1alpha1
kind: RabbitmqSource
metadata:
  name: rabbitmq-source
spec:
  rabbitmqClusterReference:
    name: rabbitmq
  rabbitmqResourcesConfig:
    predeclared: true
    queueName: my-queue
"#,
    );
    let (e, sent) = check(
        &f,
        "RabbitmqSource/rabbitmq-source",
        &["dev.knative.rabbitmq.event"],
    );
    assert_eq!(
        e.source().to_string(),
        "/apis/v1/namespaces/default/rabbitmqsources/rabbitmq-source#my-queue"
    );
    assert_eq!(e.subject(), Some(e.id()));
    assert_eq!(sent.len(), 1);
}

#[test]
fn redis_stream_source_sends_a_stream_entry() {
    let f = flow(
        r#"
apiVersion: sources.knative.dev/v1alpha1
kind: RedisStreamSource
metadata:
  name: mystream
spec:
  address: "rediss://redis.redis.svc.cluster.local:6379"
  stream: mystream
  group: mygroup
"#,
    );
    let (e, _) = check(
        &f,
        "RedisStreamSource/mystream",
        &["dev.knative.sources.redisstream"],
    );
    assert_eq!(
        e.source().to_string(),
        "rediss://redis.redis.svc.cluster.local:6379/mystream"
    );
    // A stream entry ID: the entry's milliseconds, a dash, a sequence number.
    let start = Options::default().start.timestamp_millis();
    assert_eq!(e.id(), format!("{start}-0"));
    let data: serde_json::Value = match e.data() {
        Some(cloudevents::Data::Json(v)) => v.clone(),
        other => panic!("{other:?}"),
    };
    assert!(data.as_array().is_some_and(|a| a.len() % 2 == 0), "{data}");
    assert_eq!(e.datacontenttype(), Some("application/json"));
}

#[test]
fn aws_sqs_source_names_its_queue_url() {
    let f = flow(
        r#"
apiVersion: sources.knative.dev/v1alpha1
kind: AwsSqsSource
metadata:
  name: awssqs-sample-source
spec:
  awsCredsSecret:
    name: aws-credentials
    key: credentials
  queueUrl: https://sqs.us-east-1.amazonaws.com/123456789012/my-queue
"#,
    );
    let (e, _) = check(
        &f,
        "AwsSqsSource/awssqs-sample-source",
        &["aws.sqs.message"],
    );
    assert_eq!(
        e.source().to_string(),
        "https://sqs.us-east-1.amazonaws.com/123456789012/my-queue"
    );
}

#[test]
fn ceph_source_sends_a_bucket_notification() {
    let f = flow(
        r#"
apiVersion: sources.knative.dev/v1alpha1
kind: CephSource
metadata:
  name: my-ceph-source
spec:
  port: "8888"
"#,
    );
    let (e, sent) = check(
        &f,
        "CephSource/my-ceph-source",
        &[
            "com.amazonaws.s3:ObjectCreated:Put",
            "com.amazonaws.s3:ObjectCreated:Post",
            "com.amazonaws.s3:ObjectCreated:Copy",
            "com.amazonaws.s3:ObjectCreated:CompleteMultipartUpload",
            "com.amazonaws.s3:ObjectRemoved:Delete",
            "com.amazonaws.s3:ObjectRemoved:DeleteMarkerCreated",
        ],
    );
    assert_eq!(e.ty(), "com.amazonaws.s3:ObjectCreated:Put");
    assert_eq!(e.source().to_string(), "ceph:s3.default.my-bucket");
    assert_eq!(e.subject(), Some("photos/cat.jpg"));
    assert_eq!(sent.len(), 1);
}

const COUCHDB: &str = r#"
apiVersion: sources.knative.dev/v1alpha1
kind: CouchDbSource
metadata:
  name: couchdb-photographer
spec:
  feed: continuous
  database: photographers
  credentials:
    name: couchdb-binding
"#;

#[test]
fn couchdb_source_sends_an_update_then_a_delete() {
    let f = flow(COUCHDB);
    let own = [
        "org.apache.couchdb.document.update",
        "org.apache.couchdb.document.delete",
    ];
    let (e, sent) = check(&f, "CouchDbSource/couchdb-photographer", &own);
    assert_eq!(e.ty(), own[0]);
    // The URL is in the credentials Secret, which this flow does not hold: a placeholder host.
    assert_eq!(e.source().to_string(), "couchdb.example.com/photographers");
    assert_eq!(types(&sent), own);
    assert_eq!(sent[0].1.subject(), sent[1].1.subject());
    assert!(sent[0].1.subject().is_some());
    assert_ne!(sent[0].1.id(), sent[1].1.id());
}

#[test]
fn couchdb_source_takes_its_host_from_the_credentials_secret_in_the_flow() {
    let with_secret = format!(
        r#"
apiVersion: v1
kind: Secret
metadata:
  name: couchdb-binding
stringData:
  url: https://admin:password@couch.example.org:5984
---
{}"#,
        COUCHDB.trim_start()
    );
    let f = flow(&with_secret);
    let e = sample_event(&f, "CouchDbSource/couchdb-photographer").unwrap();
    assert_eq!(e.source().to_string(), "couch.example.org/photographers");
}

#[test]
fn vsphere_source_names_the_vcenter_sdk_url_and_the_event_class() {
    let f = flow(
        r#"
apiVersion: sources.tanzu.vmware.com/v1alpha1
kind: VSphereSource
metadata:
  name: source
spec:
  address: https://vcenter.example.com
  skipTLSVerify: true
  secretRef:
    name: vsphere-credentials
"#,
    );
    let (e, sent) = check(
        &f,
        "VSphereSource/source",
        &["com.vmware.vsphere.VmPoweredOnEvent.v0"],
    );
    // govmomi's soap.ParseURL gives a URL without a path the path /sdk.
    assert_eq!(e.source().to_string(), "https://vcenter.example.com/sdk");
    assert_eq!(ext(&e, "eventclass").as_deref(), Some("event"));
    assert!(ext(&e, "vsphereapiversion").is_some());
    // The default payload encoding.
    assert_eq!(e.datacontenttype(), Some("application/xml"));
    assert_eq!(sent.len(), 1);
}

#[test]
fn horizon_source_lowercases_the_audit_event_type() {
    let f = flow(
        r#"
apiVersion: sources.tanzu.vmware.com/v1alpha1
kind: HorizonSource
metadata:
  name: horizon-example
spec:
  address: https://horizon.example.com
  skipTLSVerify: false
  secretRef:
    name: horizon-credentials
"#,
    );
    let (e, _) = check(
        &f,
        "HorizonSource/horizon-example",
        &["com.vmware.horizon.vlsi_userloggedin.v0"],
    );
    assert_eq!(e.source().to_string(), "https://horizon.example.com");
}

#[test]
fn integration_source_timer_ticks_on_its_period() {
    let f = flow(
        r#"
apiVersion: sources.knative.dev/v1alpha1
kind: IntegrationSource
metadata:
  name: integration-source-timer
spec:
  timer:
    period: 2000
    message: "Hello, Eventing Core"
  ceOverrides:
    extensions:
      origin: timer
"#,
    );
    let target = "IntegrationSource/integration-source-timer";
    let e = sample_event(&f, target).unwrap();
    assert_eq!(e.ty(), "dev.knative.eventing.timer");
    assert_eq!(e.source().to_string(), "dev.knative.eventing.timer-source");
    assert_eq!(e.subject(), Some("timer-source"));
    assert_eq!(e.datacontenttype(), Some("text/plain"));
    assert_eq!(
        e.data(),
        Some(&cloudevents::Data::String("Hello, Eventing Core".into()))
    );
    assert_eq!(ext(&e, "origin").as_deref(), Some("timer"));
    assert_eq!(offered_types(&f, target)[0], "dev.knative.eventing.timer");
    // Camel's timer: a 1 s delay, then every period.
    let sent = delivered(&f, target, Some(5_000));
    let times: Vec<u64> = sent.iter().map(|(at, _)| *at).collect();
    assert_eq!(times, [1_000, 3_000, 5_000]);
}

#[test]
fn integration_source_timer_stops_after_its_repeat_count() {
    let f = flow(
        r#"
apiVersion: sources.knative.dev/v1alpha1
kind: IntegrationSource
metadata:
  name: ticks
spec:
  timer:
    period: 1000
    repeatCount: 2
    message: tick
"#,
    );
    assert_eq!(delivered(&f, "IntegrationSource/ticks", None).len(), 2);
}

#[test]
fn integration_source_aws_connectors_have_their_own_types() {
    for (conf, ty, source, subject) in [
        (
            "s3:\n      arn: my-bucket\n      region: eu-north-1",
            "dev.knative.eventing.aws-s3",
            "dev.knative.eventing.aws-s3-source",
            "aws-s3-source",
        ),
        (
            "sqs:\n      arn: my-queue\n      region: eu-north-1",
            "dev.knative.eventing.aws-sqs",
            "dev.knative.eventing.aws-sqs-source",
            "aws-sqs-source",
        ),
        (
            "ddbStreams:\n      table: my-table\n      region: eu-north-1",
            "dev.knative.eventing.aws-ddb-streams",
            "dev.knative.eventing.aws-ddb-streams-source",
            "aws-ddb-streams-source",
        ),
    ] {
        let f = flow(&format!(
            r#"
apiVersion: sources.knative.dev/v1alpha1
kind: IntegrationSource
metadata:
  name: aws
spec:
  aws:
    {conf}
    auth:
      secret:
        ref:
          name: my-secret
"#
        ));
        let (e, sent) = check(&f, "IntegrationSource/aws", &[ty]);
        assert_eq!(e.ty(), ty);
        assert_eq!(e.source().to_string(), source);
        assert_eq!(e.subject(), Some(subject));
        assert_eq!(sent.len(), 1);
    }
}

#[test]
fn kogito_source_events_are_the_users_to_decide() {
    let f = flow(
        r#"
apiVersion: kogito.knative.dev/v1alpha1
kind: KogitoSource
metadata:
  name: kogito-travel-agency
spec:
  subject:
    apiVersion: apps/v1
    kind: Deployment
    selector:
      matchLabels:
        app: travel-agency
"#,
    );
    let target = "KogitoSource/kogito-travel-agency";
    assert!(sample_event(&f, target).is_none());
    assert!(offered_types(&f, target).is_empty());
    let mut sim = Simulation::new(&f, Options::default()).unwrap();
    let err = sim.send(&f, target, None).unwrap_err();
    assert!(err.contains("send it an event"), "{err}");
}
