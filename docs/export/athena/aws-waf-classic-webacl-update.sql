-- cloudwall rule aws-waf-classic-webacl-update (aws, kind rules): Inserts or deletes rules of a WAF Classic (global or regional) web ACL, or changes its default action.
-- Generated from the cloudwall operation catalogue; `cloudwall explain aws-waf-classic-webacl-update` has the guide.
-- MITRE ATT&CK T1562.007 (T1686.001 since v19).
-- Not expressed: the rule content of this operation (queries match the operation only).
-- Not expressed: state, correlations, split halves and per-rule severity ranking (see the index).
SELECT eventtime, recipientaccountid, awsregion, eventsource, eventname, errorcode,
    useridentity.type AS actor_type, useridentity.arn AS actor_arn, useridentity.accesskeyid AS access_key,
    sourceipaddress, useragent, requestparameters,
    'aws-waf-classic-webacl-update' AS cloudwall_rule, world_open, sensitive_port,
    CASE WHEN world_open AND sensitive_port THEN 'medium' WHEN world_open THEN 'medium' ELSE 'low' END AS severity
FROM (
    SELECT *,
        false AS world_open,
        false AS sensitive_port
    FROM cloudtrail_logs
    WHERE (lower(eventsource) = 'waf.amazonaws.com' AND lower(eventname) IN ('updatewebacl'))
        OR (lower(eventsource) = 'waf-regional.amazonaws.com' AND lower(eventname) IN ('updatewebacl'))
) AS calls
ORDER BY eventtime DESC
