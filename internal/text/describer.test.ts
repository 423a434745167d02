// tabAlign against what Go's text/tabwriter prints for Velero's Describer settings.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tabAlign } from './describer.ts';

test('tabAlign lines up columns as Go\'s tabwriter (padding 2): a shorter line ends a column', () => {
  assert.is(tabAlign('a:\tx\nlong key:\ty\n\nb:\tz\n'), 'a:         x\nlong key:  y\n\nb:  z\n');
  assert.is(tabAlign('\tVelero:\t\t<none>\n\tCluster:\t\t<none>\n\tNamespaces: <none>\n'), '  Velero:     <none>\n  Cluster:    <none>\n  Namespaces: <none>\n');
  assert.is(tabAlign('k:\tä日\n\tmore\nkey:\tv\n'), 'k:    ä日\n      more\nkey:  v\n');
});

test.run();
