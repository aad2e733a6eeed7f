/* crossgen: a result table as ONE Dash component (dashboard.components.ResultTable).
 * Built from html.Table/Tr/Td, a table of 300 cells is 300 Dash components, each with its own
 * wrapper that Dash's renderer re-renders on every store update while the page loads (the
 * Data page's reliability table: seconds of a browser's time). Here React draws the same
 * markup (dbc.Table(size="sm", hover=True, responsive=True)) from plain rows: one component.
 * Props: id, columns [[name, title], ...], rows [[key, [cell text, ...]], ...]. */
(function () {
  function ResultTable(props) {
    var h = window.React.createElement;
    var columns = props.columns || [];
    var head = h('thead', null, h('tr', null, columns.map(function (column, i) {
      return h('th', {key: i}, column[1]);
    })));
    var body = h('tbody', null, (props.rows || []).map(function (row, i) {
      return h('tr', {key: i, 'data-key': row[0]}, columns.map(function (column, j) {
        return h('td', {key: j, className: 'col-' + column[0]}, row[1][j]);
      }));
    }));
    return h('div', {id: props.id}, h('div', {className: 'table-responsive'},
      h('table', {className: 'result-table table table-sm table-hover'}, head, body)));
  }
  window.crossgen_components = Object.assign(window.crossgen_components || {},
                                             {ResultTable: ResultTable});
})();
