-- cloudwall rule gcp-appengine-ingress-change (gcp, kind rules): Creates, changes or replaces App Engine firewall rules; the default rule has priority 2147483647, and only its action can change. An allow rule matching every source, the default rule set to allow among them, lets every request past every later rule (high); a batch update sends the default rule every time and is not raised for it.
-- Generated from the cloudwall operation catalogue; `cloudwall explain gcp-appengine-ingress-change` has the guide.
-- MITRE ATT&CK T1562.007 (T1686.001 since v19).
-- World-open: *, any, 0.0.0.0-255.255.255.255, internet, any IPv4 prefix /0-/1, any IPv6 prefix /0-/3; sensitive ports: 21,22,23,53,69,88,111,123,135,137,138,139,161,162,389,445,512,513,514,636,873,1433,1434,1521,1883,1900,2049,2181,2222,2375,2376,2379,2380,3268,3269,3306,3389,4222,4646,4848,5000,5432,5439,5601,5672,5900,5901,5902,5903,5904,5905,5906,5907,5908,5909,5910,5984,5985,5986,6379,6380,6432,6443,7001,7474,7687,8080,8086,8123,8161,8200,8500,8888,8983,9042,9090,9092,9100,9200,9990,10000,10050,10051,10250,10255,11211,15672,26257,27017,27018,27019,50000,61616, all protocols or all ports.
-- Not expressed: state, correlations, split halves and per-rule severity ranking (see the index).
SELECT timestamp, project_id, method_name, resource_name, principal_email, caller_ip, status_code,
    'gcp-appengine-ingress-change' AS cloudwall_rule, world_open, sensitive_port,
    CASE WHEN world_open AND sensitive_port THEN 'medium' WHEN world_open THEN 'medium' ELSE 'medium' END AS severity
FROM (
    SELECT timestamp,
        resource.labels.project_id AS project_id,
        protopayload_auditlog.methodName AS method_name,
        protopayload_auditlog.resourceName AS resource_name,
        protopayload_auditlog.authenticationInfo.principalEmail AS principal_email,
        protopayload_auditlog.requestMetadata.callerIp AS caller_ip,
        protopayload_auditlog.status.code AS status_code,
        REGEXP_CONTAINS(LOWER(IFNULL(protopayload_auditlog.requestJson, '')), r'[{," ](sourcerange)(\\?")?[ ]*[:=][ ]*(\\?")?(\*|any|0\.0\.0\.0-255\.255\.255\.255|internet|[0-9.]+/0*(0|1)|[0-9a-f:]+/0*(0|1|2|3))(\\?"|[,} \]])') AS world_open,
        false AS sensitive_port
    FROM `PROJECT.DATASET.cloudaudit_googleapis_com_activity`
    WHERE REGEXP_CONTAINS(LOWER(protopayload_auditlog.methodName), r'^([a-z0-9]+\.)?(google\.appengine\.v1\.firewall\.createingressrule|google\.appengine\.v1\.firewall\.updateingressrule|google\.appengine\.v1\.firewall\.batchupdateingressrules|google\.appengine\.v1beta\.firewall\.createingressrule|google\.appengine\.v1beta\.firewall\.updateingressrule|google\.appengine\.v1beta\.firewall\.batchupdateingressrules)$')
) AS calls
ORDER BY timestamp DESC
