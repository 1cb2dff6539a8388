// The AWS SDK for JavaScript v3 against asl serve: a pool, a client, sign-up, sign-in, an SDK exception.
// Usage: node sdk_flow.cjs <endpoint>; prints one JSON line.
const {
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  CreateUserPoolClientCommand,
  SignUpCommand,
  AdminConfirmSignUpCommand,
  InitiateAuthCommand,
  GetUserCommand,
  UsernameExistsException,
} = require("@aws-sdk/client-cognito-identity-provider");

async function main() {
  const endpoint = process.argv[2];
  const idp = new CognitoIdentityProviderClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  const pool = (await idp.send(new CreateUserPoolCommand({ PoolName: "js" }))).UserPool;
  const client = (
    await idp.send(
      new CreateUserPoolClientCommand({
        UserPoolId: pool.Id,
        ClientName: "web",
        ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      }),
    )
  ).UserPoolClient;
  const password = "Passw0rd!";
  const signUp = { ClientId: client.ClientId, Username: "jay", Password: password };
  await idp.send(new SignUpCommand(signUp));
  await idp.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.Id, Username: "jay" }));
  let duplicate = null;
  try {
    await idp.send(new SignUpCommand(signUp));
  } catch (error) {
    duplicate = { name: error.name, sdkClass: error instanceof UsernameExistsException, message: error.message };
  }
  const auth = await idp.send(
    new InitiateAuthCommand({
      ClientId: client.ClientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: "jay", PASSWORD: password },
    }),
  );
  const me = await idp.send(new GetUserCommand({ AccessToken: auth.AuthenticationResult.AccessToken }));
  console.log(
    JSON.stringify({
      poolId: pool.Id,
      created: pool.CreationDate instanceof Date,
      tokenType: auth.AuthenticationResult.TokenType,
      username: me.Username,
      duplicate,
    }),
  );
}

main().catch((error) => {
  console.log(JSON.stringify({ failed: `${error.name}: ${error.message}` }));
  process.exit(1);
});
