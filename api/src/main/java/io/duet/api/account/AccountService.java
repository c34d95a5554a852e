package io.duet.api.account;

import io.duet.api.couple.CoupleService;
import io.duet.api.queue.JobQueue;
import io.duet.api.session.SessionTokens;
import io.duet.api.web.InvalidFieldException;
import io.duet.api.web.UnauthorizedException;
import io.micronaut.transaction.TransactionOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accounts: signup, address verification, sign-in, the account itself. Every answer that could tell a
 * stranger whether an address is registered is the same either way: signup and resend always accept,
 * sign-in fails with one 401, and the owner of a taken address is told by email instead.
 */
@Singleton
class AccountService {
    private static final Logger LOG = LoggerFactory.getLogger(AccountService.class);
    /** Emails of one verification go out at most this often (resends, repeated signups). */
    static final Duration EMAIL_INTERVAL = Duration.ofMinutes(1);

    private final AccountRepository accounts;
    private final EmailVerificationRepository verifications;
    private final PasswordHasher hasher;
    private final CommonPasswords commonPasswords;
    private final VerificationSecrets secrets;
    private final SessionTokens tokens;
    private final JobQueue jobs;
    private final AccountConfig config;
    private final Funnel funnel;
    private final TransactionOperations<Connection> transactions;
    private final CoupleService couples;

    AccountService(
            AccountRepository accounts,
            EmailVerificationRepository verifications,
            PasswordHasher hasher,
            CommonPasswords commonPasswords,
            VerificationSecrets secrets,
            SessionTokens tokens,
            JobQueue jobs,
            AccountConfig config,
            Funnel funnel,
            TransactionOperations<Connection> transactions,
            CoupleService couples) {
        this.transactions = transactions;
        this.couples = couples;
        this.accounts = accounts;
        this.verifications = verifications;
        this.hasher = hasher;
        this.commonPasswords = commonPasswords;
        this.secrets = secrets;
        this.tokens = tokens;
        this.jobs = jobs;
        this.config = config;
        this.funnel = funnel;
    }

    /**
     * Creates the account and queues the verification email in the same transaction. A signup of an
     * address that is still pending opens a verification of its own, keeping its own password, and leaves
     * the account and the earlier attempts alone: whoever holds the mailbox decides, by the code or link
     * they use, which attempt's password the account ends with. A verified address gets no new account;
     * its owner is told, at most once per {@code taken-notice-interval}. The password is hashed in every
     * case, so the answer takes as long whatever the address.
     */
    public void signUp(String email, String password, String displayName, String locale) {
        String normalized = checkAddress(email);
        checkPassword(password);
        String name = checkDisplayName(displayName);
        // Hashing (tens of milliseconds of CPU) happens before the transaction: a pooled connection is
        // held for a few milliseconds of SQL, not for the hash.
        Credentials attempt = new Credentials(hasher.hash(password), name, locale);
        transactions.executeWrite(status -> {
            record(email, normalized, attempt);
            return null;
        });
    }

    /** What one signup attempt chose; the account takes them when this attempt is verified. */
    private record Credentials(String passwordHash, String displayName, String locale) {}

    private void record(String email, String normalized, Credentials attempt) {
        Instant now = Instant.now();
        UUID id = UUID.randomUUID();
        funnel.accepted.increment();
        if (accounts.insertIfAbsent(
                        id,
                        email.strip(),
                        normalized,
                        attempt.passwordHash(),
                        attempt.displayName(),
                        attempt.locale(),
                        now)
                == 1) {
            openAttempt(id, attempt, now, true);
            return;
        }
        Account existing = accounts.lockByEmailNormalized(normalized).orElseThrow();
        if (existing.deletedAt() != null) {
            return;
        }
        if (existing.verified()) {
            if (accounts.claimTakenNotice(existing.id(), now, now.minus(config.takenNoticeInterval())) == 1) {
                jobs.enqueue(VerificationMailHandler.QUEUE, VerificationMailHandler.takenNotice(existing.id()));
            }
            return;
        }
        List<EmailVerification> usable = new ArrayList<>();
        for (EmailVerification open : verifications.lockOpen(existing.id())) {
            if (open.usable(now, config.codeAttempts())) {
                usable.add(open);
            } else {
                verifications.retire(open.id(), now);
            }
        }
        // At the cap, a further attempt opens nothing (the answer stays the same): retiring an open one
        // would let a stream of signups push the owner's mailed attempt out.
        if (usable.size() >= config.openAttempts()) {
            return;
        }
        // One mail a minute per address, as for resends: an attempt within the minute stays unmailed (and so
        // can never be verified), and the mail already on its way still verifies the attempt it was sent for.
        boolean mailedLately = usable.stream()
                .anyMatch(
                        open -> open.lastEmailAt() != null && open.lastEmailAt().isAfter(now.minus(EMAIL_INTERVAL)));
        openAttempt(existing.id(), attempt, now, !mailedLately);
    }

    /**
     * Sends the latest mailed attempt's code again (the same code while it is valid), at most once a minute.
     * An attempt that was never mailed is never mailed by a resend: it may be a stranger's, sent in the
     * minute after the owner's, and a resend must not hand the owner the stranger's code.
     */
    @Transactional
    public void resend(String email) {
        // Not an address at all is the app's mistake to show (400, as at signup); it says nothing of who signed up.
        Optional<Account> account = accounts.lockByEmailNormalized(checkAddress(email));
        if (account.isEmpty() || account.get().verified() || account.get().deletedAt() != null) {
            return;
        }
        Instant now = Instant.now();
        verifications.lockOpen(account.get().id()).stream()
                .filter(open -> open.lastEmailAt() != null && open.usable(now, config.codeAttempts()))
                .max(Comparator.comparing(EmailVerification::lastEmailAt))
                .filter(latest -> verifications.claimEmail(latest.id(), now, now.minus(EMAIL_INTERVAL)) == 1)
                .ifPresent(latest -> {
                    jobs.enqueue(
                            VerificationMailHandler.QUEUE,
                            VerificationMailHandler.verification(account.get().id(), latest.id()));
                    funnel.queued.increment();
                });
    }

    /**
     * Confirms the address with the 6-digit code and signs the account in with the credentials of the
     * attempt the code was sent for. A wrong code counts against every open attempt of the address.
     */
    @Transactional(noRollbackFor = AccountProblems.VerificationFailedException.class)
    public SignedIn verifyCode(String email, String code) {
        Instant now = Instant.now();
        Account account = EmailAddresses.valid(email)
                ? accounts.findByEmailNormalized(EmailAddresses.normalize(email))
                        .orElse(null)
                : null;
        if (account == null || account.deletedAt() != null) {
            throw new AccountProblems.VerificationFailedException();
        }
        List<EmailVerification> usable = verifications.lockOpen(account.id()).stream()
                .filter(open -> open.usable(now, config.codeAttempts()))
                .toList();
        if (usable.isEmpty()) {
            throw new AccountProblems.VerificationFailedException();
        }
        Optional<EmailVerification> matched = usable.stream()
                .filter(open -> secrets.matches(code, open.codeHash()))
                .findFirst();
        if (matched.isEmpty()) {
            verifications.countAttempt(account.id());
            throw new AccountProblems.VerificationFailedException();
        }
        complete(account, matched.get(), now);
        return signedIn(account.id());
    }

    /** What the link page shows before the button is pressed; looking does not consume the link. */
    public boolean linkUsable(String token) {
        return verifications
                .findByTokenHash(secrets.hash(token))
                .filter(verification -> verification.linkUsable(Instant.now()))
                .isPresent();
    }

    /** The link page's button: confirms the address (no sign-in: the browser is not the app). */
    @Transactional
    public boolean verifyLink(String token) {
        Instant now = Instant.now();
        Optional<EmailVerification> verification =
                verifications.lockByTokenHash(secrets.hash(token)).filter(open -> open.linkUsable(now));
        if (verification.isEmpty()) {
            return false;
        }
        Optional<Account> account =
                accounts.findByIdAndDeletedAtIsNull(verification.get().accountId());
        if (account.isEmpty()) {
            return false;
        }
        complete(account.get(), verification.get(), now);
        return true;
    }

    /**
     * Signs in with address and password. Unknown address and wrong password get the same 401 after
     * the same amount of hashing; a hash made with older argon2 parameters is upgraded on the way.
     */
    public SignedIn signIn(String email, String password) {
        Optional<Account> account = EmailAddresses.valid(email)
                ? accounts.findByEmailNormalized(EmailAddresses.normalize(email))
                        .filter(found -> found.deletedAt() == null)
                : Optional.empty();
        if (account.isEmpty()) {
            hasher.matchDecoy(password);
            throw new UnauthorizedException();
        }
        if (!hasher.matches(password, account.get().passwordHash())) {
            throw new UnauthorizedException();
        }
        if (!account.get().verified()) {
            throw new AccountProblems.EmailNotVerifiedException();
        }
        String upgraded = hasher.needsRehash(account.get().passwordHash()) ? hasher.hash(password) : null;
        return transactions.executeWrite(status -> {
            if (upgraded != null) {
                accounts.updatePasswordHash(account.get().id(), upgraded);
                LOG.atInfo()
                        .addKeyValue("accountId", account.get().id())
                        .log("password hash upgraded to current parameters");
            }
            return signedIn(account.get().id());
        });
    }

    public Optional<Account> find(UUID accountId) {
        return accounts.findByIdAndDeletedAtIsNull(accountId);
    }

    @Transactional
    public Optional<Account> update(UUID accountId, String displayName, String locale) {
        if (displayName != null) {
            accounts.updateDisplayName(accountId, checkDisplayName(displayName));
        }
        if (locale != null) {
            accounts.updateLocale(accountId, MailLocales.supported(locale));
        }
        return accounts.findByIdAndDeletedAtIsNull(accountId);
    }

    /**
     * Marks the account deleted, ends its sessions and its couple (the partner is told; the shared history
     * follows the unpair rule) and queues the purge of everything it owns.
     */
    @Transactional
    public boolean delete(UUID accountId) {
        if (accounts.markDeleted(accountId, Instant.now()) == 0) {
            return false;
        }
        tokens.revokeAll(accountId);
        couples.endForDeletedAccount(accountId);
        jobs.enqueue(AccountPurgeHandler.QUEUE, AccountPurgeHandler.payload(accountId));
        LOG.atInfo().addKeyValue("accountId", accountId).log("account deletion scheduled");
        return true;
    }

    record SignedIn(SessionTokens.Issued tokens, Account account) {}

    private SignedIn signedIn(UUID accountId) {
        SessionTokens.Issued issued = tokens.issue(accountId);
        return new SignedIn(
                issued, accounts.findByIdAndDeletedAtIsNull(accountId).orElseThrow());
    }

    private void complete(Account account, EmailVerification verification, Instant now) {
        verifications.consume(verification.id(), now);
        verifications.retireOthers(account.id(), verification.id(), now);
        boolean ownCredentials = verification.passwordHash() != null;
        if (accounts.markVerified(
                        account.id(),
                        now,
                        ownCredentials ? verification.passwordHash() : account.passwordHash(),
                        ownCredentials ? verification.displayName() : account.displayName(),
                        ownCredentials ? verification.locale() : account.locale())
                == 1) {
            funnel.verified.increment();
            if (verification.lastEmailAt() != null) {
                funnel.sentToVerified(Duration.between(verification.lastEmailAt(), now));
            }
            LOG.atInfo().addKeyValue("accountId", account.id()).log("account verified");
        }
    }

    /** Opens a verification for one signup attempt, with its own code, link and credentials. */
    private void openAttempt(UUID accountId, Credentials attempt, Instant now, boolean mail) {
        VerificationSecrets.Secrets minted = secrets.mint();
        EmailVerification verification = verifications.save(new EmailVerification(
                UUID.randomUUID(),
                accountId,
                secrets.hash(minted.code()),
                secrets.hash(minted.token()),
                secrets.seal(minted),
                0,
                now,
                now.plus(config.codeTtl()),
                null,
                0,
                mail ? now : null,
                attempt.passwordHash(),
                attempt.displayName(),
                attempt.locale()));
        if (mail) {
            jobs.enqueue(
                    VerificationMailHandler.QUEUE, VerificationMailHandler.verification(accountId, verification.id()));
            funnel.queued.increment();
        }
    }

    private static String checkAddress(String email) {
        if (!EmailAddresses.valid(email)) {
            throw new InvalidFieldException("email", "is not a valid email address");
        }
        return EmailAddresses.normalize(email);
    }

    private void checkPassword(String password) {
        int length = password.codePointCount(0, password.length());
        if (length < 8 || length > 256) {
            throw new InvalidFieldException("password", "must be 8 to 256 characters long");
        }
        if (commonPasswords.contains(password)) {
            throw new InvalidFieldException("password", "is one of the most common passwords; choose another");
        }
    }

    private static String checkDisplayName(String displayName) {
        String name = displayName.strip();
        // A lone surrogate is not Unicode: PostgreSQL's driver would store it as "?" (found by BadInputSweepTest).
        if (name.isEmpty()
                || name.codePoints()
                        .anyMatch(c -> Character.isISOControl(c) || Character.isSurrogate((char) c) && c < 0x10000)) {
            throw new InvalidFieldException("displayName", "must be visible characters");
        }
        return name;
    }
}
