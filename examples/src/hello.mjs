// An async handler in ESM: module code runs once per instance; the handler once per invocation.
const startedAt = new Date().toISOString();

// Invoked directly (`baton invoke hello --data '{"name":"Ada"}'`) or through the gateway
// (`GET /hello?name=Ada`), where the event is API Gateway's payload 2.0.
export const handler = async (event, context) => {
  const given = event?.queryStringParameters?.name ?? event?.name;
  const name = typeof given === 'string' ? given : 'world';
  console.log(`greeting ${name}`);
  return {
    message: `${process.env.GREETING ?? 'Hello'}, ${name}!`,
    requestId: context.awsRequestId,
    instanceStartedAt: startedAt,
  };
};
