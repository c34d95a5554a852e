package io.duet.api.account;

import io.duet.api.queue.Job;
import io.duet.api.queue.JobHandler;
import io.duet.api.queue.PermanentJobFailure;
import jakarta.inject.Singleton;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code account-purge} queue: removes everything of a deleted account. Deleting the account row
 * cascades to its verifications and refresh tokens; couples, messages and media join this list as
 * their features arrive (each behind a foreign key with ON DELETE CASCADE or a step here).
 */
@Singleton
class AccountPurgeHandler implements JobHandler {
    static final String QUEUE = "account-purge";
    private static final Logger LOG = LoggerFactory.getLogger(AccountPurgeHandler.class);
    private static final Pattern ACCOUNT = Pattern.compile("\"accountId\":\"([0-9a-f-]{36})\"");

    private final AccountRepository accounts;

    AccountPurgeHandler(AccountRepository accounts) {
        this.accounts = accounts;
    }

    static String payload(UUID accountId) {
        return "{\"v\":1,\"accountId\":\"" + accountId + "\"}";
    }

    @Override
    public String queue() {
        return QUEUE;
    }

    @Override
    public void handle(Job job) {
        Matcher matcher = ACCOUNT.matcher(job.payload());
        if (!matcher.find()) {
            throw new PermanentJobFailure("purge job without an account id");
        }
        UUID accountId = UUID.fromString(matcher.group(1));
        int removed = accounts.purge(accountId);
        LOG.atInfo().addKeyValue("accountId", accountId).addKeyValue("removed", removed).log("account purged");
    }
}
