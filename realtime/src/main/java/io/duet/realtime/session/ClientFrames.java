package io.duet.realtime.session;

import io.duet.api.web.ProblemException;
import io.duet.realtime.protocol.Frames;
import io.duet.realtime.protocol.RealtimeProblems;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.UUID;

/** What a client sends, on either transport: {@code ack}, {@code read} and {@code typing}. */
@Singleton
public class ClientFrames {
    private final Receipts receipts;
    private final Typing typing;

    ClientFrames(Receipts receipts, Typing typing) {
        this.receipts = receipts;
        this.typing = typing;
    }

    /** Blocking (Redis, JDBC). Throws the API's problems (not paired, couple ended) and for an unknown type. */
    public void apply(UUID user, UUID partner, Frames.ClientFrame frame) {
        switch (frame.type()) {
            case "ack" -> receipts.ack(user, partner, frame.upToSeq());
            case "read" -> receipts.read(user, frame.upToSeq());
            case "typing" -> typing.send(user, partner);
            default -> throw new RealtimeProblems.UnknownFrameException();
        }
    }

    /** {@link #apply}, returning the error code to tell the client instead of throwing. */
    public Optional<String> handle(UUID user, UUID partner, Frames.ClientFrame frame) {
        try {
            apply(user, partner, frame);
            return Optional.empty();
        } catch (RealtimeProblems.UnknownFrameException e) {
            return Optional.of("unknown-type");
        } catch (ProblemException e) {
            return Optional.of(e.code());
        } catch (RuntimeException e) {
            return Optional.of("unavailable");
        }
    }
}
