package io.duet.functions.lambda;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import io.duet.api.testing.HttpApiEvents;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The Lambda runtime's own serializers between API Gateway's JSON ({@link HttpApiEvents}) and the event and
 * response objects a handler receives and returns.
 */
final class LambdaEvents {
    private static final PojoSerializer<APIGatewayV2HTTPEvent> EVENTS =
            LambdaEventSerializers.serializerFor(APIGatewayV2HTTPEvent.class, LambdaEvents.class.getClassLoader());
    private static final PojoSerializer<APIGatewayV2HTTPResponse> RESPONSES =
            LambdaEventSerializers.serializerFor(APIGatewayV2HTTPResponse.class, LambdaEvents.class.getClassLoader());

    private LambdaEvents() {}

    /** The event object the Lambda runtime makes of that JSON. */
    static APIGatewayV2HTTPEvent event(String json) {
        return EVENTS.fromJson(json);
    }

    static APIGatewayV2HTTPEvent event(String method, String pathAndQuery, Map<String, String> headers, String body) {
        return event(HttpApiEvents.json(method, pathAndQuery, headers, body));
    }

    /** The response as the runtime sends it back to API Gateway. */
    static String json(APIGatewayV2HTTPResponse response) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RESPONSES.toJson(response, out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
