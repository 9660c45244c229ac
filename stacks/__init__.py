"""Framecast on AWS, in CDK: one stack composed of one construct per concern."""
