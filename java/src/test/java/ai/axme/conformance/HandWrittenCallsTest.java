package ai.axme.conformance;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** resumeIntent args reach the resumeIntent helper only when it would send exactly them. */
class HandWrittenCallsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static boolean helper(String args) throws Exception {
        return HandWrittenCalls.isHelperResume((ObjectNode) JSON.readTree(args));
    }

    @Test
    void aPlainAgentResultUsesTheHelper() throws Exception {
        assertTrue(helper("{\"kind\":\"agent_result\",\"outcome\":\"complete\",\"result\":{\"a\":1}}"));
        assertTrue(helper("{\"kind\":\"agent_result\",\"outcome\":\"complete\",\"result\":{},\"delivery_id\":\"d\"}"));
    }

    @Test
    void everyOtherBodyIsSentAsGiven() throws Exception {
        assertFalse(helper("{\"kind\":\"progress\"}"));
        assertFalse(helper("{\"kind\":\"agent_result\",\"outcome\":\"complete\"}"));
        assertFalse(helper("{\"kind\":\"agent_result\",\"outcome\":\"complete\",\"result\":{},\"extra\":1}"));
        assertFalse(helper("{\"kind\":\"agent_result\",\"outcome\":\"complete\",\"result\":{},\"delivery_id\":7}"));
        assertFalse(helper("{\"kind\":\"agent_result\",\"outcome\":\"fail\",\"error\":{\"message\":\"x\"}}"));
        assertFalse(helper("{\"action\":\"complete\",\"answer\":42}"));
        assertFalse(helper("{\"result\":{}}"));
    }
}
