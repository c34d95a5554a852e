package io.duet.api.web;

import io.micronaut.core.convert.ArgumentConversionContext;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.bind.binders.TypedRequestArgumentBinder;
import io.micronaut.security.authentication.Authentication;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.UUID;

/** Binds {@link Caller} from the authentication micronaut-security built from a verified access token. */
@Singleton
final class CallerBinder implements TypedRequestArgumentBinder<Caller> {

    @Override
    public BindingResult<Caller> bind(ArgumentConversionContext<Caller> context, HttpRequest<?> source) {
        Optional<Authentication> authentication = source.getUserPrincipal(Authentication.class);
        if (authentication.isEmpty()) {
            return BindingResult.unsatisfied();
        }
        try {
            UUID account = UUID.fromString(authentication.get().getName());
            Object session = authentication.get().getAttributes().get("sid");
            UUID sessionId = session == null ? null : UUID.fromString(session.toString());
            Caller caller = new Caller(account, sessionId);
            return () -> Optional.of(caller);
        } catch (IllegalArgumentException e) {
            return BindingResult.unsatisfied();
        }
    }

    @Override
    public Argument<Caller> argumentType() {
        return Argument.of(Caller.class);
    }
}
