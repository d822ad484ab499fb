-- cloudwall rule aws-nfw-subnets-detach (aws, kind detach): Removes subnets from a Network Firewall; their traffic is no longer inspected.
-- Generated from the cloudwall operation catalogue; `cloudwall explain aws-nfw-subnets-detach` has the guide.
-- MITRE ATT&CK T1562.007 (T1686.001 since v19).
-- Not expressed: state, correlations, split halves and per-rule severity ranking (see the index).
SELECT eventtime, recipientaccountid, awsregion, eventsource, eventname, errorcode,
    useridentity.type AS actor_type, useridentity.arn AS actor_arn, useridentity.accesskeyid AS access_key,
    sourceipaddress, useragent, requestparameters,
    'aws-nfw-subnets-detach' AS cloudwall_rule, world_open, sensitive_port,
    CASE WHEN world_open AND sensitive_port THEN 'critical' WHEN world_open THEN 'high' ELSE 'high' END AS severity
FROM (
    SELECT *,
        false AS world_open,
        false AS sensitive_port
    FROM cloudtrail_logs
    WHERE (lower(eventsource) = 'network-firewall.amazonaws.com' AND lower(eventname) IN ('disassociatesubnets'))
) AS calls
ORDER BY eventtime DESC
