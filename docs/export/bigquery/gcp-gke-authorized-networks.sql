-- cloudwall rule gcp-gke-authorized-networks (gcp, kind rules): Creates or updates a GKE cluster; firewall-relevant when it sets master authorized networks (turned off, any address reaches the public endpoint) or the public endpoint.
-- Generated from the cloudwall operation catalogue; `cloudwall explain gcp-gke-authorized-networks` has the guide.
-- MITRE ATT&CK T1562.007 (T1686.001 since v19).
-- World-open: *, any, 0.0.0.0-255.255.255.255, internet, any IPv4 prefix /0-/1, any IPv6 prefix /0-/3; sensitive ports: 21,22,23,53,69,88,111,123,135,137,138,139,161,162,389,445,512,513,514,636,873,1433,1434,1521,1883,1900,2049,2181,2222,2375,2376,2379,2380,3268,3269,3306,3389,4222,4646,4848,5000,5432,5439,5601,5672,5900,5901,5902,5903,5904,5905,5906,5907,5908,5909,5910,5984,5985,5986,6379,6380,6432,6443,7001,7474,7687,8080,8086,8123,8161,8200,8500,8888,8983,9042,9090,9092,9100,9200,9990,10000,10050,10051,10250,10255,11211,15672,26257,27017,27018,27019,50000,61616, all protocols or all ports.
-- Not expressed: authorized networks turned off (enabled false, which the log leaves out) admit every address and are not seen.
-- Not expressed: a cluster created without authorized networks admits every address and is not seen.
-- Not expressed: the engine keeps only calls that carry changes or settings; this query matches every call.
-- Not expressed: state, correlations, split halves and per-rule severity ranking (see the index).
SELECT timestamp, project_id, method_name, resource_name, principal_email, caller_ip, status_code,
    'gcp-gke-authorized-networks' AS cloudwall_rule, world_open, sensitive_port,
    CASE WHEN world_open AND sensitive_port THEN 'critical' WHEN world_open THEN 'critical' ELSE 'low' END AS severity
FROM (
    SELECT timestamp,
        resource.labels.project_id AS project_id,
        protopayload_auditlog.methodName AS method_name,
        protopayload_auditlog.resourceName AS resource_name,
        protopayload_auditlog.authenticationInfo.principalEmail AS principal_email,
        protopayload_auditlog.requestMetadata.callerIp AS caller_ip,
        protopayload_auditlog.status.code AS status_code,
        REGEXP_CONTAINS(LOWER(IFNULL(protopayload_auditlog.requestJson, '')), r'[{," ](cidrblock)(\\?")?[ ]*[:=][ ]*(\\?")?(\*|any|0\.0\.0\.0-255\.255\.255\.255|internet|[0-9.]+/0*(0|1)|[0-9a-f:]+/0*(0|1|2|3))(\\?"|[,} \]])') AS world_open,
        false AS sensitive_port
    FROM `PROJECT.DATASET.cloudaudit_googleapis_com_activity`
    WHERE REGEXP_CONTAINS(LOWER(protopayload_auditlog.methodName), r'^([a-z0-9]+\.)?(google\.container\.v1\.clustermanager\.updatecluster|google\.container\.v1beta1\.clustermanager\.updatecluster|google\.container\.v1\.clustermanager\.createcluster|google\.container\.v1beta1\.clustermanager\.createcluster)$')
) AS calls
ORDER BY timestamp DESC
