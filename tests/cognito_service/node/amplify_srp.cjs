// amazon-cognito-identity-js (Amplify's SRP client) against asl serve: USER_SRP_AUTH + PASSWORD_VERIFIER.
// Usage: node amplify_srp.cjs <endpoint> <poolId> <clientId> <username> <password>; prints one JSON line.
const { CognitoUserPool, CognitoUser, AuthenticationDetails } = require("amazon-cognito-identity-js");

const [endpoint, poolId, clientId, username, password] = process.argv.slice(2);
const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint });
const user = new CognitoUser({ Username: username, Pool: pool });
user.setAuthenticationFlowType("USER_SRP_AUTH");
user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
  onSuccess(session) {
    const payload = session.getIdToken().decodePayload();
    console.log(JSON.stringify({ ok: true, username: payload["cognito:username"], email: payload.email }));
  },
  onFailure(error) {
    console.log(JSON.stringify({ ok: false, code: error.code || error.name, message: error.message }));
  },
  newPasswordRequired() {
    console.log(JSON.stringify({ ok: false, code: "NEW_PASSWORD_REQUIRED" }));
  },
  totpRequired() {
    console.log(JSON.stringify({ ok: false, code: "SOFTWARE_TOKEN_MFA" }));
  },
});
