// Package simulate generates realistic raw audit-log records of AWS
// CloudTrail, Azure Activity Log and GCP Cloud Audit Logs, alone
// (Builder, AWSRecord, AzureRecords, GCPRecords, Plant) or as whole
// corpora laid out the way the clouds deliver them (GenerateCorpus), with
// firewall-tampering operations planted among ordinary traffic and
// near-miss decoys planted beside them.
//
// It exists so that throughput and detection can be measured on data that
// looks like production: record sizes, key order, envelope shapes, file
// sizes and the operation mix decide how fast a scanner runs, and decoys
// that share words and CIDRs with attacks decide whether it is precise.
// Shapes follow shared/design/operations.md and the real samples in
// shared/data.
//
// # Determinism
//
// Everything derives from CorpusOptions.Seed: the estate (accounts,
// principals, resources) and the file plan are drawn first, then each file
// from its own random stream, so a corpus is byte-identical whatever the
// number of Workers.
//
// # Corpus layout
//
//	AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<16 chars>.json.gz
//	AWSLogs/<acct>/CloudTrail-Insight/<region>/...   Insights records (decoys only)
//	AWSLogs/<acct>/CloudTrail-Digest/<region>/...    digest files (no records)
//	insights-activity-logs/resourceId=/SUBSCRIPTIONS/<SUB>/y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json[.gz]
//	cloudaudit.googleapis.com/activity/YYYY/MM/DD/HH:00:00_HH:59:59_S<n>.json[.gz]
//	cloudaudit.googleapis.com/data_access/YYYY/MM/DD/HH:00:00_HH:59:59_S<n>.json[.gz]
//	corpus.json     the Manifest: options and every file with its size and record count
//	planted.jsonl   one PlantedEvent per line
//
// CloudTrail files are one compact line, {"Records":[...]}; Azure and GCP
// files are JSON lines (resource-log records, LogEntries). Most CloudTrail
// files hold 10-300 records, about 30% of CloudTrail bytes sit in files of
// 20-60 MB, and CorpusOptions.HugeFile adds one file of any size.
//
// # Matching findings to planted events
//
// A finding is about planted event P when its cloud is P.Cloud and either
// its event.event_id equals or contains one of P.IDs (AWS eventID; Azure
// correlationId, since the resource-log form has no eventDataId; GCP
// insertId of the first and last entries and operation.id), or its
// event.file ends with P.File and its event.index is one of P.Records.
// PlantedEvent.Matches implements the rule; Manifest.Match applies it to
// every planted event.
package simulate
