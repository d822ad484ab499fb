-- cloudwall rule gcp-net-fwpolicy-dissociate (gcp, kind detach): Removes a network firewall policy from a VPC network; its rules, denies included, stop applying.
-- Generated from the cloudwall operation catalogue; `cloudwall explain gcp-net-fwpolicy-dissociate` has the guide.
-- MITRE ATT&CK T1562.007 (T1686.001 since v19).
-- Not expressed: state, correlations, split halves and per-rule severity ranking (see the index).
SELECT timestamp, project_id, method_name, resource_name, principal_email, caller_ip, status_code,
    'gcp-net-fwpolicy-dissociate' AS cloudwall_rule, world_open, sensitive_port,
    CASE WHEN world_open AND sensitive_port THEN 'critical' WHEN world_open THEN 'medium' ELSE 'medium' END AS severity
FROM (
    SELECT timestamp,
        resource.labels.project_id AS project_id,
        protopayload_auditlog.methodName AS method_name,
        protopayload_auditlog.resourceName AS resource_name,
        protopayload_auditlog.authenticationInfo.principalEmail AS principal_email,
        protopayload_auditlog.requestMetadata.callerIp AS caller_ip,
        protopayload_auditlog.status.code AS status_code,
        FALSE AS world_open,
        FALSE AS sensitive_port
    FROM `PROJECT.DATASET.cloudaudit_googleapis_com_activity`
    WHERE REGEXP_CONTAINS(LOWER(protopayload_auditlog.methodName), r'^([a-z0-9]+\.)?(compute\.networkfirewallpolicies\.removeassociation|compute\.regionnetworkfirewallpolicies\.removeassociation)$')
) AS calls
ORDER BY timestamp DESC
