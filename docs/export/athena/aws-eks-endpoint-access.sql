-- cloudwall rule aws-eks-endpoint-access (aws, kind rules): Creates an EKS cluster or changes its config; firewall-relevant when it sets the public API endpoint or the addresses it admits (publicAccessCidrs, 0.0.0.0/0 by default).
-- Generated from the cloudwall operation catalogue; `cloudwall explain aws-eks-endpoint-access` has the guide.
-- MITRE ATT&CK T1562.007 (T1686.001 since v19).
-- World-open: *, any, 0.0.0.0-255.255.255.255, internet, any IPv4 prefix /0-/1, any IPv6 prefix /0-/3; sensitive ports: 21,22,23,53,69,88,111,123,135,137,138,139,161,162,389,445,512,513,514,636,873,1433,1434,1521,1883,1900,2049,2181,2222,2375,2376,2379,2380,3268,3269,3306,3389,4222,4646,4848,5000,5432,5439,5601,5672,5900,5901,5902,5903,5904,5905,5906,5907,5908,5909,5910,5984,5985,5986,6379,6380,6432,6443,7001,7474,7687,8080,8086,8123,8161,8200,8500,8888,8983,9042,9090,9092,9100,9200,9990,10000,10050,10051,10250,10255,11211,15672,26257,27017,27018,27019,50000,61616, all protocols or all ports.
-- Not expressed: a cluster created without publicAccessCidrs gets 0.0.0.0/0 (the engine reads it from the response).
-- Not expressed: publicAccessCidrs sent with the public endpoint turned off match too.
-- Not expressed: the engine keeps only calls that carry changes or settings; this query matches every call.
-- Not expressed: state, correlations, split halves and per-rule severity ranking (see the index).
SELECT eventtime, recipientaccountid, awsregion, eventsource, eventname, errorcode,
    useridentity.type AS actor_type, useridentity.arn AS actor_arn, useridentity.accesskeyid AS access_key,
    sourceipaddress, useragent, requestparameters,
    'aws-eks-endpoint-access' AS cloudwall_rule, world_open, sensitive_port,
    CASE WHEN world_open AND sensitive_port THEN 'critical' WHEN world_open THEN 'critical' ELSE 'low' END AS severity
FROM (
    SELECT *,
        regexp_like(lower(requestparameters), '[{," ](publicaccesscidrs)(\\?")?[ ]*[:=][ ]*\[([^\]]*[," ])?(\*|any|0\.0\.0\.0-255\.255\.255\.255|internet|[0-9.]+/0*(0|1)|[0-9a-f:]+/0*(0|1|2|3))(\\?"|[,} \]])') AS world_open,
        false AS sensitive_port
    FROM cloudtrail_logs
    WHERE (lower(eventsource) = 'eks.amazonaws.com' AND lower(eventname) IN ('updateclusterconfig', 'createcluster'))
) AS calls
ORDER BY eventtime DESC
