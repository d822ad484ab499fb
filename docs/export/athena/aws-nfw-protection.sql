-- cloudwall rule aws-nfw-protection (aws, kind protection): Switches delete, subnet-change or policy-change protection of a Network Firewall; turning it off is the step before deleting or detaching.
-- Generated from the cloudwall operation catalogue; `cloudwall explain aws-nfw-protection` has the guide.
-- MITRE ATT&CK T1562.007 (T1686.001 since v19).
-- Not expressed: state, correlations, split halves and per-rule severity ranking (see the index).
SELECT eventtime, recipientaccountid, awsregion, eventsource, eventname, errorcode,
    useridentity.type AS actor_type, useridentity.arn AS actor_arn, useridentity.accesskeyid AS access_key,
    sourceipaddress, useragent, requestparameters,
    'aws-nfw-protection' AS cloudwall_rule, world_open, sensitive_port,
    CASE WHEN world_open AND sensitive_port THEN 'critical' WHEN world_open THEN 'medium' ELSE 'medium' END AS severity
FROM (
    SELECT *,
        false AS world_open,
        false AS sensitive_port
    FROM cloudtrail_logs
    WHERE (lower(eventsource) = 'network-firewall.amazonaws.com' AND lower(eventname) IN ('updatefirewalldeleteprotection', 'updatesubnetchangeprotection', 'updatefirewallpolicychangeprotection'))
) AS calls
ORDER BY eventtime DESC
