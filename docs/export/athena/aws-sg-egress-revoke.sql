-- cloudwall rule aws-sg-egress-revoke (aws, kind remove): Removes outbound rules from a security group (narrows access).
-- Generated from the cloudwall operation catalogue; `cloudwall explain aws-sg-egress-revoke` has the guide.
-- MITRE ATT&CK T1562.007 (T1686.001 since v19).
-- Not expressed: state, correlations, split halves and per-rule severity ranking (see the index).
SELECT eventtime, recipientaccountid, awsregion, eventsource, eventname, errorcode,
    useridentity.type AS actor_type, useridentity.arn AS actor_arn, useridentity.accesskeyid AS access_key,
    sourceipaddress, useragent, requestparameters,
    'aws-sg-egress-revoke' AS cloudwall_rule, world_open, sensitive_port,
    CASE WHEN world_open AND sensitive_port THEN 'medium' WHEN world_open THEN 'low' ELSE 'info' END AS severity
FROM (
    SELECT *,
        false AS world_open,
        false AS sensitive_port
    FROM cloudtrail_logs
    WHERE (lower(eventsource) = 'ec2.amazonaws.com' AND lower(eventname) IN ('revokesecuritygroupegress'))
) AS calls
ORDER BY eventtime DESC
