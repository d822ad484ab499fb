-- cloudwall rule aws-eni-sg-swap (aws, kind swap): Replaces the security-group set of a network interface (only with groupSet).
-- Generated from the cloudwall operation catalogue; `cloudwall explain aws-eni-sg-swap` has the guide.
-- MITRE ATT&CK T1562.007 (T1686.001 since v19).
-- Not expressed: the engine keeps only calls that carry targets; this query matches every call.
-- Not expressed: state, correlations, split halves and per-rule severity ranking (see the index).
SELECT eventtime, recipientaccountid, awsregion, eventsource, eventname, errorcode,
    useridentity.type AS actor_type, useridentity.arn AS actor_arn, useridentity.accesskeyid AS access_key,
    sourceipaddress, useragent, requestparameters,
    'aws-eni-sg-swap' AS cloudwall_rule, world_open, sensitive_port,
    CASE WHEN world_open AND sensitive_port THEN 'critical' WHEN world_open THEN 'medium' ELSE 'low' END AS severity
FROM (
    SELECT *,
        false AS world_open,
        false AS sensitive_port
    FROM cloudtrail_logs
    WHERE (lower(eventsource) = 'ec2.amazonaws.com' AND lower(eventname) IN ('modifynetworkinterfaceattribute'))
) AS calls
ORDER BY eventtime DESC
