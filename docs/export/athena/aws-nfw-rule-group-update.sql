-- cloudwall rule aws-nfw-rule-group-update (aws, kind rules): Replaces the contents of a Network Firewall rule group.
-- Generated from the cloudwall operation catalogue; `cloudwall explain aws-nfw-rule-group-update` has the guide.
-- MITRE ATT&CK T1562.007 (T1686.001 since v19).
-- World-open: *, any, 0.0.0.0-255.255.255.255, internet, any IPv4 prefix /0-/1, any IPv6 prefix /0-/3; sensitive ports: 21,22,23,53,69,88,111,123,135,137,138,139,161,162,389,445,512,513,514,636,873,1433,1434,1521,1883,1900,2049,2181,2222,2375,2376,2379,2380,3268,3269,3306,3389,4222,4646,4848,5000,5432,5439,5601,5672,5900,5901,5902,5903,5904,5905,5906,5907,5908,5909,5910,5984,5985,5986,6379,6380,6432,6443,7001,7474,7687,8080,8086,8123,8161,8200,8500,8888,8983,9042,9090,9092,9100,9200,9990,10000,10050,10051,10250,10255,11211,15672,26257,27017,27018,27019,50000,61616, all protocols or all ports.
-- Not expressed: Suricata-format rules (rulesString) are not parsed.
-- Not expressed: a stateless rule with no source (every address) is not seen.
-- Not expressed: a rule's action (pass, drop, alert) is not read.
-- Not expressed: state, correlations, split halves and per-rule severity ranking (see the index).
SELECT eventtime, recipientaccountid, awsregion, eventsource, eventname, errorcode,
    useridentity.type AS actor_type, useridentity.arn AS actor_arn, useridentity.accesskeyid AS access_key,
    sourceipaddress, useragent, requestparameters,
    'aws-nfw-rule-group-update' AS cloudwall_rule, world_open, sensitive_port,
    CASE WHEN world_open AND sensitive_port THEN 'critical' WHEN world_open THEN 'medium' ELSE 'medium' END AS severity
FROM (
    SELECT *,
        regexp_like(lower(requestparameters), '[{," ](addressdefinition|source)(\\?")?[ ]*[:=][ ]*(\\?")?(\*|any|0\.0\.0\.0-255\.255\.255\.255|internet|[0-9.]+/0*(0|1)|[0-9a-f:]+/0*(0|1|2|3))(\\?"|[,} \]])') AS world_open,
        regexp_like(lower(requestparameters), '[{," ](fromport|destinationport)(\\?")?[ ]*[:=][ ]*(\\?")?((0|21|22|23|53|69|88|111|123|135|137|138|139|161|162|389|445|512|513|514|636|873|1433|1434|1521|1883|1900|2049|2181|2222|2375|2376|2379|2380|3268|3269|3306|3389|4222|4646|4848|5000|5432|5439|5601|5672|5900|5901|5902|5903|5904|5905|5906|5907|5908|5909|5910|5984|5985|5986|6379|6380|6432|6443|7001|7474|7687|8080|8086|8123|8161|8200|8500|8888|8983|9042|9090|9092|9100|9200|9990|10000|10050|10051|10250|10255|11211|15672|26257|27017|27018|27019|50000|61616)(-[0-9]+)?|\*)(\\?"|[,} \]])') OR regexp_like(lower(requestparameters), '[{," ](protocol)(\\?")?[ ]*[:=][ ]*(\\?")?(ip)(\\?"|[,} \]])') AS sensitive_port
    FROM cloudtrail_logs
    WHERE (lower(eventsource) = 'network-firewall.amazonaws.com' AND lower(eventname) IN ('updaterulegroup'))
) AS calls
ORDER BY eventtime DESC
