package io.duet.infra;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awscdk.services.wafv2.CfnWebACL;
import software.amazon.awscdk.services.wafv2.CfnWebACLAssociation;
import software.constructs.Construct;

/**
 * Duet's web ACLs: AWS's managed common, known-bad-input and IP-reputation rules, and a rate limit per client
 * address. The regional one guards the realtime ALB, the CloudFront one the media distributions.
 */
public final class Waf {
    /** Requests per client address in 5 minutes (WAF's window) before it is blocked for a while. */
    public static final int RATE_LIMIT_PER_5_MINUTES = 3000;

    private Waf() {}

    public static CfnWebACL regional(Construct scope, String id, String name, String resourceArn) {
        var acl = acl(scope, id, name, "REGIONAL");
        CfnWebACLAssociation.Builder.create(scope, id + "Association")
                .resourceArn(resourceArn)
                .webAclArn(acl.getAttrArn())
                .build();
        return acl;
    }

    public static CfnWebACL cloudFront(Construct scope, String id, String name) {
        return acl(scope, id, name, "CLOUDFRONT");
    }

    private static CfnWebACL acl(Construct scope, String id, String name, String scopeName) {
        var rules = new ArrayList<Object>();
        int priority = 0;
        for (String group : List.of(
                "AWSManagedRulesCommonRuleSet",
                "AWSManagedRulesKnownBadInputsRuleSet",
                "AWSManagedRulesAmazonIpReputationList")) {
            rules.add(CfnWebACL.RuleProperty.builder()
                    .name(group)
                    .priority(priority++)
                    .statement(CfnWebACL.StatementProperty.builder()
                            .managedRuleGroupStatement(CfnWebACL.ManagedRuleGroupStatementProperty.builder()
                                    .vendorName("AWS")
                                    .name(group)
                                    .build())
                            .build())
                    .overrideAction(CfnWebACL.OverrideActionProperty.builder()
                            .none(java.util.Map.of())
                            .build())
                    .visibilityConfig(visibility(name + "-" + group))
                    .build());
        }
        rules.add(CfnWebACL.RuleProperty.builder()
                .name("RatePerAddress")
                .priority(priority)
                .statement(CfnWebACL.StatementProperty.builder()
                        .rateBasedStatement(CfnWebACL.RateBasedStatementProperty.builder()
                                .limit(RATE_LIMIT_PER_5_MINUTES)
                                .aggregateKeyType("IP")
                                .build())
                        .build())
                .action(CfnWebACL.RuleActionProperty.builder()
                        .block(CfnWebACL.BlockActionProperty.builder().build())
                        .build())
                .visibilityConfig(visibility(name + "-rate"))
                .build());
        return CfnWebACL.Builder.create(scope, id)
                .name(name)
                .scope(scopeName)
                .defaultAction(CfnWebACL.DefaultActionProperty.builder()
                        .allow(CfnWebACL.AllowActionProperty.builder().build())
                        .build())
                .visibilityConfig(visibility(name))
                .rules(rules)
                .build();
    }

    private static CfnWebACL.VisibilityConfigProperty visibility(String metric) {
        return CfnWebACL.VisibilityConfigProperty.builder()
                .cloudWatchMetricsEnabled(true)
                .sampledRequestsEnabled(true)
                .metricName(metric)
                .build();
    }
}
