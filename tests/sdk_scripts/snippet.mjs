// The docs page's snippet, on today's Node client (v3), pointed at the mock.
import Retell from 'retell-sdk';

const client = new Retell({
  apiKey: process.env.RETELL_API_KEY,
  baseURL: process.env.RETELL_BASE_URL,
});

const webCallResponse = await client.call.createWebCall({ agent_id: process.env.RETELL_AGENT_ID });
console.log(webCallResponse.call_id);
