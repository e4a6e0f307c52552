# RDS Enhanced Monitoring with a role trusting monitoring.rds.amazonaws.com (a subdomain of the
# RDS principal, not rds.amazonaws.com itself): correct, no finding.
resource "aws_iam_role" "monitoring" {
  name = "monitoring"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "monitoring.rds.amazonaws.com" }
    }]
  })
}

resource "aws_db_instance" "orders" {
  identifier                  = "orders"
  engine                      = "postgres"
  instance_class              = "db.t4g.micro"
  allocated_storage           = 20
  username                    = "orders"
  manage_master_user_password = true
  monitoring_interval         = 60
  monitoring_role_arn         = aws_iam_role.monitoring.arn
}
