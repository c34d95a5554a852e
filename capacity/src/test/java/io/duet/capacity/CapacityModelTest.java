package io.duet.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CapacityModelTest {
    private final CapacityModel model = new CapacityModel(CapacityInputs.standard());

    @Test
    void givenNoSignups_whenSized_thenTheRegionRunsItsBaseline() {
        CapacityInputs in = model.inputs();

        CapacityModel.Needs needs = model.needs(0);

        assertEquals(in.baselineProvisionedConcurrency(), needs.signupProvisionedConcurrency());
        assertEquals(in.baselineWorkers(), needs.workers());
        assertEquals(in.baselineGateways(), needs.gateways());
        assertEquals(in.baselineConnections(), needs.connections());
        assertEquals(0, needs.emailsPerSecond());
    }

    @Test
    void givenAPromotionRate_whenSized_thenEachNumberIsLittlesLawOverTheMeasuredCost() {
        CapacityInputs in = model.inputs();
        int rate = 6000;

        CapacityModel.Needs needs = model.needs(rate);

        double perSecond = rate / 60.0;
        assertEquals(
                Math.max(in.baselineProvisionedConcurrency(), (int)
                        Math.ceil(perSecond * model.signupSeconds() * in.headroom())),
                needs.signupProvisionedConcurrency());
        assertEquals(perSecond * in.emailsPerSignup(), needs.emailsPerSecond(), 1e-9);
        assertEquals(
                Math.max(in.baselineWorkers(), (int) Math.ceil(
                        needs.emailsPerSecond() / (in.emailsPerSecondPerWorker() * in.emailTargetUtilization()))),
                needs.workers());
        assertEquals(
                in.baselineConnections() + Math.round(rate * in.minutesConnectedPerNewUser()), needs.connections());
        assertEquals(model.gatewaysFor(needs.connections()), needs.gateways());
        assertTrue(model.needs(rate * 2).signupProvisionedConcurrency() > needs.signupProvisionedConcurrency());
    }

    @Test
    void givenARateBeyondTheSesLimit_whenSized_thenTheErrorNamesTheRateAndTheLimit() {
        int rate = (int) Math.ceil(model.inputs().sesSendRatePerSecond()
                        * 60
                        / model.inputs().emailsPerSignup())
                + 60;

        var error = assertThrows(InvalidPromotionException.class, () -> model.needs(rate));

        assertTrue(error.getMessage().startsWith(rate + " signups/min: sends "), error.getMessage());
        assertTrue(error.getMessage().contains("beyond the account's SES rate"), error.getMessage());
    }

    @Test
    void givenANegativeRate_whenSized_thenRefused() {
        var error = assertThrows(InvalidPromotionException.class, () -> model.needs(-1));

        assertEquals("-1 signups/min: a rate of signups cannot be negative", error.getMessage());
    }
}
