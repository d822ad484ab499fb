-- cloudwall rule aws-waf-classic-delete (aws, kind delete): Deletes a WAF Classic web ACL or rule.
-- Generated from the cloudwall operation catalogue; `cloudwall explain aws-waf-classic-delete` has the guide.
-- MITRE ATT&CK T1562.007 (T1686.001 since v19).
-- Not expressed: state, correlations, split halves and per-rule severity ranking (see the index).
SELECT eventtime, recipientaccountid, awsregion, eventsource, eventname, errorcode,
    useridentity.type AS actor_type, useridentity.arn AS actor_arn, useridentity.accesskeyid AS access_key,
    sourceipaddress, useragent, requestparameters,
    'aws-waf-classic-delete' AS cloudwall_rule, world_open, sensitive_port,
    CASE WHEN world_open AND sensitive_port THEN 'critical' WHEN world_open THEN 'high' ELSE 'high' END AS severity
FROM (
    SELECT *,
        false AS world_open,
        false AS sensitive_port
    FROM cloudtrail_logs
    WHERE (lower(eventsource) = 'waf.amazonaws.com' AND lower(eventname) IN ('deletewebacl', 'deleterule'))
        OR (lower(eventsource) = 'waf-regional.amazonaws.com' AND lower(eventname) IN ('deletewebacl', 'deleterule'))
) AS calls
ORDER BY eventtime DESC
