// The API explorer: GraphiQL (from npm, served under /vendor) against this server's /graphql.
// A bearer token saved by the web client (a partner's API key or a signed-in session) is
// offered as the default Authorization header, so the explorer sees what the page sees.
(function start() {
  const status = document.getElementById('graphiql-status');
  if (!window.React || !window.ReactDOM || !window.GraphiQL) {
    status.textContent = 'GraphiQL could not load its files: run `make setup` (npm ci) on the server.';
    return;
  }
  function savedToken() {
    try {
      const session = JSON.parse(localStorage.getItem('issy.session') || 'null');
      if (session && new Date(session.expiresAt) > new Date()) return session.token;
      return sessionStorage.getItem('issy.partnerKey');
    } catch {
      return null;
    }
  }
  const token = savedToken();
  const fetcher = window.GraphiQL.createFetcher({ url: `${location.origin}/graphql` });
  const root = window.ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(window.React.createElement(window.GraphiQL, {
    fetcher,
    defaultEditorToolsVisibility: true,
    headers: token ? JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2) : undefined,
    defaultQuery: '# Issy Mobility: services, plans, ideas and traffic.\n# Ctrl-Enter runs the query.\n{\n  services(first: 5) {\n    totalCount\n    edges { node { id name kind } }\n  }\n}\n',
  }));
}());
