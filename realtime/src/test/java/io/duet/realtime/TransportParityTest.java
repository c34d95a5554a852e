package io.duet.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duet.api.testing.Api;
import io.duet.api.testing.People;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.serde.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Where the two transports used to answer the same input differently, they now answer alike. */
class TransportParityTest {
    static EmbeddedServer node;
    static ObjectMapper json;

    @BeforeAll
    static void start() {
        node = Gateways.start(Gateways.freshNodeId("parity"), Map.of());
        json = node.getApplicationContext().getBean(ObjectMapper.class);
    }

    @AfterAll
    static void stop() {
        node.getApplicationContext().close();
    }

    @Test
    void givenANonNumericAfter_thenABadFrameOnBothTransports() throws Exception {
        People.Person person = People.verified("Ada");
        Poller poller = new Poller(json, person.token());
        assertEquals(201, poller.open(node.getPort()).statusCode());

        HttpResponse<String> poll = Poller.call(
                "GET",
                node.getPort(),
                "/v1/realtime/sessions/" + poller.sid + "/events?after=ten",
                person.token(),
                null);
        try (WsClient ws = WsClient.connect(node.getPort(), "token=" + person.token() + "&after=ten")) {
            assertTrue(ws.closeCode(Duration.ofSeconds(3)).startsWith("4400"));
        }

        GatewayTest.assertProblem(poll, 400, "bad-frame");
    }

    @Test
    void givenTheTokenAsASubprotocolOrInAHeader_thenBothTransportsTakeItTheSameWay() throws Exception {
        People.Person person = People.verified("Ada");

        try (WsClient ws = WsClient.connectWithProtocol(node.getPort(), person.token())) {
            GatewayTest.awaitHeld(node, person.id());
        }
        HttpResponse<String> session = Poller.call("POST", node.getPort(), "/v1/realtime/sessions", person.token(), "");

        assertEquals(201, session.statusCode(), session.body());
        assertTrue(new Api(node.getPort(), json).get("/v1/me", person.token()).status() == 200);
    }
}
