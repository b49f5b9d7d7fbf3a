// The hash route: "#/host/ag_1?range=7d" → { route: 'host', params: ['ag_1'], query }.

export interface Route {
  route: string;
  params: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = text.split('?', 2) as [string, string | undefined];
  const [route = '', ...params] = path.split('/').filter((s) => s !== '');
  return { route, params: params.map(decodeURIComponent), query: new URLSearchParams(search) };
}

/** "#/alerts?tab=open" from a route and query. */
export function hashOf(route: string, params: readonly string[] = [], query?: Record<string, string>): string {
  const path = [route, ...params.map(encodeURIComponent)].join('/');
  const search = query ? new URLSearchParams(query).toString() : '';
  return `#/${path}${search ? `?${search}` : ''}`;
}
