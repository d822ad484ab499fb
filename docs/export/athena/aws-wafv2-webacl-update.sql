-- cloudwall rule aws-wafv2-webacl-update (aws, kind rules): Replaces a whole WAFv2 web ACL (rules and default action).
-- Generated from the cloudwall operation catalogue; `cloudwall explain aws-wafv2-webacl-update` has the guide.
-- MITRE ATT&CK T1562.007 (T1686.001 since v19).
-- Not expressed: the rule content of this operation (queries match the operation only).
-- Not expressed: state, correlations, split halves and per-rule severity ranking (see the index).
SELECT eventtime, recipientaccountid, awsregion, eventsource, eventname, errorcode,
    useridentity.type AS actor_type, useridentity.arn AS actor_arn, useridentity.accesskeyid AS access_key,
    sourceipaddress, useragent, requestparameters,
    'aws-wafv2-webacl-update' AS cloudwall_rule, world_open, sensitive_port,
    CASE WHEN world_open AND sensitive_port THEN 'medium' WHEN world_open THEN 'medium' ELSE 'low' END AS severity
FROM (
    SELECT *,
        false AS world_open,
        false AS sensitive_port
    FROM cloudtrail_logs
    WHERE (lower(eventsource) = 'wafv2.amazonaws.com' AND lower(eventname) IN ('updatewebacl'))
) AS calls
ORDER BY eventtime DESC
